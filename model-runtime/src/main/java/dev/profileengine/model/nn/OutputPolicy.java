package dev.profileengine.model.nn;

import dev.profileengine.model.encoding.CategoryVocabulary;
import dev.profileengine.model.recommend.CategoryScore;
import dev.profileengine.profile.BehaviorType;
import dev.profileengine.profile.RecentBehavior;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns raw network outputs into served numbers; fitted on the validation part of the training
 * data and stored in the manifest so training, evaluation and serving apply the same rule.
 *
 * <ul>
 *   <li>probabilities: {@code softmax((1 - markovWeight) logits / temperature + markovWeight log p_markov)}
 *       over the active types, where {@code p_markov} is the per-user Markov estimate of the
 *       same context (a calibrated log-linear pool; temperature and weight chosen to minimise
 *       validation log-loss); types not seen in training get {@link #UNSEEN_PROBABILITY} each;
 *   <li>decision: {@code argmax_t log p(t) + logBias[t]} (per-type bias, chosen by coordinate
 *       search to maximise validation macro-F1; log-loss is unaffected);
 *   <li>categories: {@code (1 - blend) p_model(c) + blend p_user(c)} where {@code p_user} is the
 *       user's own category distribution in the context with recency weights
 *       {@code recencyDecay^age}; top-K of that.
 * </ul>
 *
 * @param logBias per BehaviorType ordinal
 */
public record OutputPolicy(double temperature, double markovWeight, double[] logBias, double categoryBlend,
    double recencyDecay) {
  /** Probability of each behavior type that never occurred in training. */
  public static final double UNSEEN_PROBABILITY = 1e-6;

  public static OutputPolicy neutral() {
    return new OutputPolicy(1.0, 0.0, new double[BehaviorType.count()], 0.0, 0.9);
  }

  public OutputPolicy withTemperature(double t) {
    return new OutputPolicy(t, markovWeight, logBias, categoryBlend, recencyDecay);
  }

  public OutputPolicy withMarkovWeight(double w) {
    return new OutputPolicy(temperature, w, logBias, categoryBlend, recencyDecay);
  }

  public OutputPolicy withLogBias(double[] b) {
    return new OutputPolicy(temperature, markovWeight, b.clone(), categoryBlend, recencyDecay);
  }

  public OutputPolicy withCategoryBlend(double blend) {
    return new OutputPolicy(temperature, markovWeight, logBias, blend, recencyDecay);
  }

  /**
   * Calibrated probabilities per ordinal, summing to 1 over all types.
   *
   * @param markov the per-user Markov estimate per ordinal (may be null when markovWeight is 0)
   */
  public double[] typeProbabilities(float[] logits, double[] markov, boolean[] active) {
    double[] z = new double[logits.length];
    double max = Double.NEGATIVE_INFINITY;
    int unseen = 0;
    for (int i = 0; i < logits.length; i++) {
      if (!active[i]) {
        unseen++;
        continue;
      }
      z[i] = (1 - markovWeight) * logits[i] / temperature;
      if (markovWeight != 0) z[i] += markovWeight * Math.log(Math.max(1e-12, markov[i]));
      max = Math.max(max, z[i]);
    }
    double[] p = new double[logits.length];
    double sum = 0;
    for (int i = 0; i < logits.length; i++) {
      if (!active[i]) continue;
      p[i] = Math.exp(z[i] - max);
      sum += p[i];
    }
    double activeMass = 1 - unseen * UNSEEN_PROBABILITY;
    for (int i = 0; i < p.length; i++) p[i] = active[i] ? activeMass * p[i] / sum : UNSEEN_PROBABILITY;
    return p;
  }

  public BehaviorType decide(double[] p, boolean[] active) {
    int best = -1;
    double bestScore = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < p.length; i++) {
      if (!active[i]) continue;
      double s = Math.log(Math.max(1e-30, p[i])) + logBias[i];
      if (s > bestScore) {
        bestScore = s;
        best = i;
      }
    }
    return BehaviorType.ofIndex(best);
  }

  /**
   * The top-{@code k} categories, blending the category head with the user's own history.
   *
   * <p>Only two kinds of category can make the blended top-{@code k}: the model's own top
   * {@code k} (a category the user never touched scores {@code (1 - blend) p_model}, so it is
   * beaten by the {@code k} categories with a higher {@code p_model}) and the user's categories.
   * Those candidates are scored exactly; the rest of the vocabulary is only scanned once for the
   * model's top {@code k}, with no per-token allocation.
   */
  public List<CategoryScore> topCategories(float[] modelProbs, CategoryVocabulary vocab, List<RecentBehavior> context, int k) {
    return topCategories(modelProbs, 0, modelProbs.length, vocab, context, k);
  }

  /** As above, for the row of {@code width} probabilities that starts at {@code offset} of {@code probs} (a batch's rows, read in place). */
  public List<CategoryScore> topCategories(float[] probs, int offset, int width, CategoryVocabulary vocab, List<RecentBehavior> context, int k) {
    Map<String, Double> userShare = categoryBlend > 0 ? recencyShares(context, recencyDecay) : Map.of();
    double modelWeight = userShare.isEmpty() ? 1.0 : 1.0 - categoryBlend;
    double userWeight = userShare.isEmpty() ? 0.0 : categoryBlend;
    Map<String, Double> scores = new HashMap<>();
    for (int tok : topTokens(probs, offset, width, k)) scores.put(vocab.category(tok), modelWeight * probs[offset + tok]);
    userShare.forEach((c, share) -> {
      int tok = vocab.token(c);
      double model = tok >= CategoryVocabulary.FIRST && tok < width ? modelWeight * probs[offset + tok] : 0.0;
      scores.put(c, model + userWeight * share);
    });
    List<CategoryScore> out = new ArrayList<>(scores.size());
    scores.forEach((c, p) -> out.add(new CategoryScore(c, p)));
    out.sort((a, b) -> {
      int c = Double.compare(b.probability(), a.probability());
      return c != 0 ? c : a.id().compareTo(b.id());
    });
    return out.size() > k ? List.copyOf(out.subList(0, k)) : out;
  }

  /**
   * The user's categories with recency weights {@code decay^age} (the newest behavior weighs 1),
   * normalised to sum 1; empty when no behavior has a category.
   */
  public static Map<String, Double> recencyShares(List<RecentBehavior> context, double decay) {
    Map<String, Double> share = new HashMap<>();
    double w = 1;
    double total = 0;
    for (int i = context.size() - 1; i >= 0; i--, w *= decay) {
      String c = context.get(i).categoryId();
      if (c != null) {
        share.merge(c, w, Double::sum);
        total += w;
      }
    }
    if (total <= 0) return Map.of();
    final double t = total;
    share.replaceAll((c, v) -> v / t);
    return share;
  }

  /** Tokens of the {@code k} highest model probabilities among the known categories (a min-heap of token ids). */
  static int[] topTokens(float[] probs, int k) {
    return topTokens(probs, 0, probs.length, k);
  }

  /** As above, for the row of {@code width} tokens that starts at {@code offset} of {@code probs}. */
  static int[] topTokens(float[] probs, int offset, int width, int k) {
    int n = Math.max(0, Math.min(k, width - CategoryVocabulary.FIRST));
    int[] heap = new int[n];
    int size = 0;
    for (int tok = CategoryVocabulary.FIRST; tok < width && n > 0; tok++) {
      if (size < n) {
        heap[size] = tok;
        siftUp(heap, size++, probs, offset);
      } else if (probs[offset + tok] > probs[offset + heap[0]]) {
        heap[0] = tok;
        siftDown(heap, n, probs, offset);
      }
    }
    return heap;
  }

  private static void siftUp(int[] heap, int i, float[] p, int offset) {
    while (i > 0) {
      int parent = (i - 1) / 2;
      if (p[offset + heap[parent]] <= p[offset + heap[i]]) return;
      swap(heap, i, parent);
      i = parent;
    }
  }

  private static void siftDown(int[] heap, int size, float[] p, int offset) {
    int i = 0;
    while (true) {
      int l = 2 * i + 1;
      int r = l + 1;
      int min = i;
      if (l < size && p[offset + heap[l]] < p[offset + heap[min]]) min = l;
      if (r < size && p[offset + heap[r]] < p[offset + heap[min]]) min = r;
      if (min == i) return;
      swap(heap, i, min);
      i = min;
    }
  }

  private static void swap(int[] a, int i, int j) {
    int t = a[i];
    a[i] = a[j];
    a[j] = t;
  }

}
