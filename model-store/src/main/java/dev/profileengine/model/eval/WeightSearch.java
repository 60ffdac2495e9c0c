package dev.profileengine.model.eval;

import dev.profileengine.model.dataset.BehaviorDataset;
import dev.profileengine.model.dataset.ChronologicalSplit;
import dev.profileengine.model.recommend.CategoryScore;
import dev.profileengine.model.recommend.DecayedInterest;
import dev.profileengine.model.recommend.Popularity;
import dev.profileengine.model.recommend.RecommendWeights;
import dev.profileengine.model.recommend.Recommendation;
import dev.profileengine.model.recommend.Recommender;
import dev.profileengine.profile.RecentBehavior;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Chooses {@link RecommendWeights} on the validation slice ({@link Evaluator#validationTargets}):
 * every point of a grid on the simplex (weights summing to 1) is scored with the same
 * HitRate@10 / Recall@10 as the evaluation; the objective is their sum. Popularity is counted on
 * each user's events before the validation slice, so nothing of the slice leaks into it, and the
 * held-out events are never read.
 */
public final class WeightSearch {
  private WeightSearch() {}

  /** One grid point's validation metrics. */
  public record Result(RecommendWeights weights, double hitRate, double recall) {
    public double objective() {
      return hitRate + recall;
    }
  }

  /** Best first (objective descending; ties: larger model weight, then larger interest weight). */
  public static List<Result> search(BehaviorDataset data, ChronologicalSplit split, BatchScorer model, double step) {
    List<Evaluator.Target> targets = Evaluator.validationTargets(data, split);
    List<List<RecentBehavior>> beforeValidation = new ArrayList<>();
    data.users().values().forEach(s -> beforeValidation.add(s.subList(0, split.validationStart(split.historyLength(s.size())))));
    Popularity popularity = Popularity.fit(beforeValidation, Popularity.DEFAULT_TOP, null, null, null);
    List<BatchScorer.Scored> scored = Evaluator.scoreAll(model, targets);
    List<Map<String, Double>> modelScores = new ArrayList<>(targets.size());
    List<Map<String, Double>> interests = new ArrayList<>(targets.size());
    for (int i = 0; i < targets.size(); i++) {
      List<CategoryScore> cats = scored.get(i).categories();
      modelScores.add(Recommender.modelScores(cats));
      interests.add(DecayedInterest.of(targets.get(i).before()).shares());
    }
    return search(targets, modelScores, interests, popularity.shares(), grid(step));
  }

  /** Scores each weight vector on precomputed sources (index-aligned with {@code targets}). */
  public static List<Result> search(List<Evaluator.Target> targets, List<Map<String, Double>> model,
      List<Map<String, Double>> interest, Map<String, Double> popular, List<RecommendWeights> grid) {
    List<Result> out = new ArrayList<>();
    for (RecommendWeights w : grid) {
      CategoryMetrics cm = Evaluator.categoryMetrics(targets, i -> Recommender.blend(model.get(i), interest.get(i), popular, w,
          Evaluator.TOP_K).stream().map(Recommendation::categoryId).toList());
      out.add(new Result(w, cm.hitRate(), cm.userRecall()));
    }
    out.sort(Comparator.comparingDouble(Result::objective).reversed()
        .thenComparing(r -> -r.weights().model()).thenComparing(r -> -r.weights().interest()));
    return out;
  }

  /** All weight vectors with components in multiples of {@code step} summing to 1. */
  public static List<RecommendWeights> grid(double step) {
    int n = (int) Math.round(1 / step);
    if (n < 1 || Math.abs(n * step - 1) > 1e-9) throw new IllegalArgumentException("step must divide 1, got " + step);
    List<RecommendWeights> g = new ArrayList<>();
    for (int m = 0; m <= n; m++)
      for (int i = 0; m + i <= n; i++) g.add(new RecommendWeights((double) m / n, (double) i / n, (double) (n - m - i) / n));
    return g;
  }
}
