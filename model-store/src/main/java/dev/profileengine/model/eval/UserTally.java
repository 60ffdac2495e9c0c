package dev.profileengine.model.eval;

import dev.profileengine.profile.BehaviorType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One predictor's accumulators kept per user (the sufficient statistics of every reported
 * metric), so a bootstrap resample of users is a weighted sum rather than a re-run.
 */
public final class UserTally {
  public static final String ACCURACY = "accuracy";
  public static final String MACRO_F1 = "macroF1";
  public static final String LOG_LOSS = "logLoss";
  public static final String HIT_RATE = "categoryHitRateAt10";
  public static final String RECALL = "categoryRecallAt10";

  private final BehaviorMetrics[] behavior;
  private final CategoryMetrics[] category;

  /** Accumulators for {@code users} users; a head the predictor lacks has none. */
  public UserTally(int users, boolean behaviorHead, boolean categoryHead) {
    behavior = behaviorHead ? new BehaviorMetrics[users] : null;
    category = categoryHead ? new CategoryMetrics[users] : null;
    for (int u = 0; u < users; u++) {
      if (behaviorHead) behavior[u] = new BehaviorMetrics();
      if (categoryHead) category[u] = new CategoryMetrics();
    }
  }

  public BehaviorMetrics behavior(int user) {
    return behavior[user];
  }

  public CategoryMetrics category(int user) {
    return category[user];
  }

  public int users() {
    return behavior != null ? behavior.length : category == null ? 0 : category.length;
  }

  /** Key of the per-type F1 of {@code t} in {@link #metrics}. */
  public static String f1Key(BehaviorType t) {
    return "f1:" + t.wire();
  }

  /**
   * Every metric of the users drawn with multiplicities {@code weights} (all ones: the point
   * estimate): the behavior metrics and the F1 of each of {@code types}, then the category ones.
   */
  public Map<String, Double> metrics(int[] weights, List<BehaviorType> types) {
    Map<String, Double> out = new LinkedHashMap<>();
    if (behavior != null) {
      BehaviorMetrics b = new BehaviorMetrics();
      for (int u = 0; u < behavior.length; u++) if (weights[u] > 0) b.addAll(behavior[u], weights[u]);
      out.put(ACCURACY, b.accuracy());
      out.put(MACRO_F1, b.macroF1());
      out.put(LOG_LOSS, b.logLoss());
      for (BehaviorType t : types) out.put(f1Key(t), b.f1(t));
    }
    if (category != null) {
      CategoryMetrics c = new CategoryMetrics();
      for (int u = 0; u < category.length; u++) if (weights[u] > 0) c.addAll(category[u], weights[u]);
      out.put(HIT_RATE, c.hitRate());
      out.put(RECALL, c.userRecall());
    }
    return out;
  }

  /** {@link #metrics} on every resample of {@code bootstrap}: key -> one value per resample. */
  public Map<String, double[]> replicates(Bootstrap bootstrap, List<BehaviorType> types) {
    Map<String, double[]> out = new LinkedHashMap<>();
    for (int r = 0; r < bootstrap.resamples(); r++) {
      final int rr = r;
      metrics(bootstrap.draw(r), types).forEach((k, v) -> out.computeIfAbsent(k, x -> new double[bootstrap.resamples()])[rr] = v);
    }
    return out;
  }
}
