package dev.profileengine.model.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.profileengine.model.encoding.CategoryVocabulary;
import dev.profileengine.model.recommend.CategoryScore;
import dev.profileengine.profile.BehaviorType;
import dev.profileengine.profile.RecentBehavior;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class OutputPolicyTest {
  private static final int K = 10;

  /** The blended top-k must equal scoring every category of the vocabulary and the user's history. */
  @Test
  void topCategoriesEqualsExhaustiveScoring() {
    Random rnd = new Random(7);
    CategoryVocabulary vocab = new CategoryVocabulary(IntStream.range(0, 300).mapToObj(i -> "c" + i).toList());
    for (int trial = 0; trial < 500; trial++) {
      float[] probs = randomProbabilities(rnd, vocab.tokenCount());
      List<RecentBehavior> context = new ArrayList<>();
      int n = rnd.nextInt(60);
      for (int i = 0; i < n; i++) {
        // mostly known categories, some unknown to the vocabulary, some without a category
        int r = rnd.nextInt(100);
        String c = r < 5 ? null : r < 15 ? "unknown" + rnd.nextInt(5) : "c" + rnd.nextInt(40);
        context.add(new RecentBehavior(BehaviorType.VIEW, c, 1_000L * i));
      }
      OutputPolicy policy = OutputPolicy.neutral().withCategoryBlend(trial % 3 == 0 ? 0.0 : rnd.nextDouble());
      List<CategoryScore> fast = policy.topCategories(probs, vocab, context, K);
      List<CategoryScore> exhaustive = exhaustive(policy, probs, vocab, context);
      assertEquals(exhaustive.size(), fast.size(), "trial " + trial);
      for (int i = 0; i < fast.size(); i++) {
        assertEquals(exhaustive.get(i).id(), fast.get(i).id(), "trial " + trial + " rank " + i);
        assertEquals(exhaustive.get(i).probability(), fast.get(i).probability(), 1e-12);
      }
    }
  }

  /** A batch's row read in place (serving) ranks exactly as the same row copied out (training, evaluation). */
  @Test
  void aRowReadInPlaceRanksAsItsCopy() {
    Random rnd = new Random(11);
    CategoryVocabulary vocab = new CategoryVocabulary(IntStream.range(0, 200).mapToObj(i -> "c" + i).toList());
    int width = vocab.tokenCount();
    float[][] rows = new float[5][];
    for (int i = 0; i < rows.length; i++) rows[i] = randomProbabilities(rnd, width);
    // Two batches, as training forwards them, joined.
    NetOutput out = NetOutput.concat(List.of(flat(rows, 0, 2), flat(rows, 2, 5)));
    List<RecentBehavior> context = List.of(new RecentBehavior(BehaviorType.VIEW, "c3", 1L), new RecentBehavior(BehaviorType.CART, "c7", 2L));
    OutputPolicy policy = OutputPolicy.neutral().withCategoryBlend(0.4);
    for (int i = 0; i < rows.length; i++) {
      assertEquals(policy.topCategories(rows[i], vocab, context, K),
          policy.topCategories(out.categoryFlat(), out.categoryOffset(i), out.categoryWidth(), vocab, context, K), "row " + i);
      assertEquals(width, out.categoryWidth());
    }
  }

  @Test
  void topTokensAreTheLargestKnownCategories() {
    float[] p = {9f, 9f, 9f, 0.1f, 0.5f, 0.2f, 0.7f};
    int[] top = OutputPolicy.topTokens(p, 2);
    assertEquals(List.of(4, 6), IntStream.of(top).sorted().boxed().toList());
    assertEquals(4, OutputPolicy.topTokens(p, 10).length, "never more than the known categories");
    assertTrue(OutputPolicy.topTokens(new float[3], 10).length == 0);
  }

  /** Rows {@code from} to {@code to} as a network's output (type logits all zero). */
  private static NetOutput flat(float[][] rows, int from, int to) {
    int w = rows[0].length;
    float[] cats = new float[(to - from) * w];
    for (int i = from; i < to; i++) System.arraycopy(rows[i], 0, cats, (i - from) * w, w);
    return new NetOutput(new float[(to - from) * 6], cats, to - from);
  }

  private static float[] randomProbabilities(Random rnd, int n) {
    float[] p = new float[n];
    float sum = 0;
    for (int i = CategoryVocabulary.FIRST; i < n; i++) {
      // heavy-tailed, with exact ties now and then
      p[i] = rnd.nextInt(10) == 0 ? 0.01f : (float) Math.pow(rnd.nextDouble(), 6);
      sum += p[i];
    }
    for (int i = 0; i < n; i++) p[i] /= sum;
    return p;
  }

  /** The definition: every known category and every history category scored, sorted by score then id. */
  private static List<CategoryScore> exhaustive(OutputPolicy policy, float[] probs, CategoryVocabulary vocab, List<RecentBehavior> context) {
    Map<String, Double> share = new HashMap<>();
    double w = 1;
    double total = 0;
    for (int i = context.size() - 1; i >= 0; i--, w *= policy.recencyDecay()) {
      String c = context.get(i).categoryId();
      if (c != null) {
        share.merge(c, w, Double::sum);
        total += w;
      }
    }
    boolean blend = policy.categoryBlend() > 0 && total > 0;
    double mw = blend ? 1 - policy.categoryBlend() : 1;
    double uw = blend ? policy.categoryBlend() : 0;
    Map<String, Double> score = new HashMap<>();
    for (int tok = CategoryVocabulary.FIRST; tok < probs.length; tok++) score.put(vocab.category(tok), mw * probs[tok]);
    if (blend) for (Map.Entry<String, Double> e : share.entrySet()) score.merge(e.getKey(), uw * e.getValue() / totalOf(share), Double::sum);
    return score.entrySet().stream()
        .map(e -> new CategoryScore(e.getKey(), e.getValue()))
        .sorted(Comparator.comparingDouble(CategoryScore::probability).reversed().thenComparing(CategoryScore::id))
        .limit(K)
        .toList();
  }

  private static double totalOf(Map<String, Double> share) {
    return share.values().stream().mapToDouble(Double::doubleValue).sum();
  }
}
