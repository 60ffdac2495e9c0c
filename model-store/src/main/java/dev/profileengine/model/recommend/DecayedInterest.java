package dev.profileengine.model.recommend;

import dev.profileengine.model.BehaviorType;
import dev.profileengine.model.RecentBehavior;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pure replica of the engine's category interest scores, for offline evaluation: exponential
 * time decay (each behavior adds its type's weight, halved every half-life of event time since),
 * stored as of the newest event time, at most {@code topK} categories kept (a new one displaces
 * the weakest only if it scores higher). Same formula and defaults as
 * {@code engine/src/main/java/dev/profileengine/profile/DecayedScores.java} folded by
 * {@code ProfileState.apply} with {@code ProfileSettings.defaults()} (half-life 7 days; weights
 * view 1, click 1, search 0.5, favorite 3, cart 4, purchase 6; top 10). Keep them in step.
 *
 * @param anchorMillis newest event time folded in ({@link Long#MIN_VALUE} when empty)
 * @param keys kept category ids
 * @param scores their decayed weights as of {@code anchorMillis}
 */
public record DecayedInterest(long anchorMillis, String[] keys, double[] scores) {
  public static final long HALF_LIFE_MILLIS = 7L * 24 * 3600 * 1000;
  public static final int TOP_K = 10;
  private static final double[] WEIGHTS = new double[BehaviorType.count()];

  static {
    WEIGHTS[BehaviorType.VIEW.ordinal()] = 1;
    WEIGHTS[BehaviorType.CLICK.ordinal()] = 1;
    WEIGHTS[BehaviorType.SEARCH.ordinal()] = 0.5;
    WEIGHTS[BehaviorType.FAVORITE.ordinal()] = 3;
    WEIGHTS[BehaviorType.CART.ordinal()] = 4;
    WEIGHTS[BehaviorType.PURCHASE.ordinal()] = 6;
  }

  public static DecayedInterest empty() {
    return new DecayedInterest(Long.MIN_VALUE, new String[0], new double[0]);
  }

  /** The engine's weight of one behavior of {@code type}. */
  public static double weight(BehaviorType type) {
    return WEIGHTS[type.ordinal()];
  }

  /** The interests after folding {@code behaviors} in list order (the engine folds in arrival order). */
  public static DecayedInterest of(List<RecentBehavior> behaviors) {
    DecayedInterest d = empty();
    for (RecentBehavior b : behaviors) d = d.add(b.categoryId(), weight(b.type()), b.epochMillis());
    return d;
  }

  static double decay(long elapsedMillis) {
    return elapsedMillis <= 0 ? 1.0 : Math.pow(0.5, (double) elapsedMillis / HALF_LIFE_MILLIS);
  }

  /** Folds one behavior in (same steps as {@code DecayedScores.add}). */
  public DecayedInterest add(String key, double weight, long timeMillis) {
    if (key == null || weight <= 0) return this;
    long anchor = Math.max(anchorMillis, timeMillis);
    double[] s = Arrays.copyOf(scores, scores.length);
    if (anchorMillis != Long.MIN_VALUE && anchor > anchorMillis) {
      double f = decay(anchor - anchorMillis);
      for (int i = 0; i < s.length; i++) s[i] *= f;
    }
    double w = weight * decay(anchor - timeMillis);
    for (int i = 0; i < keys.length; i++) {
      if (keys[i].equals(key)) {
        s[i] += w;
        return new DecayedInterest(anchor, keys, s);
      }
    }
    if (keys.length < TOP_K) {
      String[] k = Arrays.copyOf(keys, keys.length + 1);
      double[] v = Arrays.copyOf(s, s.length + 1);
      k[keys.length] = key;
      v[keys.length] = w;
      return new DecayedInterest(anchor, k, v);
    }
    int weakest = 0;
    for (int i = 1; i < s.length; i++) if (s[i] < s[weakest]) weakest = i;
    if (s[weakest] >= w) return new DecayedInterest(anchor, keys, s);
    String[] k = keys.clone();
    k[weakest] = key;
    s[weakest] = w;
    return new DecayedInterest(anchor, k, s);
  }

  /** Category id -> share of all kept weight (the engine's {@code Interest.score}), in key order. */
  public Map<String, Double> shares() {
    double total = 0;
    for (double v : scores) total += v;
    Map<String, Double> m = new LinkedHashMap<>();
    for (int i = 0; i < keys.length; i++) m.put(keys[i], total > 0 ? scores[i] / total : 0);
    return m;
  }
}
