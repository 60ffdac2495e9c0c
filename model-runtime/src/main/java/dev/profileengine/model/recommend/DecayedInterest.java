package dev.profileengine.model.recommend;

import dev.profileengine.profile.BehaviorType;
import dev.profileengine.profile.DecayedScores;
import dev.profileengine.profile.ProfileSettings;
import dev.profileengine.profile.RecentBehavior;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The engine's category interest scores, folded offline for evaluation: the profile's own
 * {@link DecayedScores} with {@link ProfileSettings#defaults()} (half-life 7 days; weights view 1,
 * click 1, search 0.5, favorite 3, cart 4, purchase 6; top 10), so both read the same math.
 *
 * @param folded the decayed category scores as of the newest event folded in
 */
public record DecayedInterest(DecayedScores folded) {
  private static final ProfileSettings ENGINE = ProfileSettings.defaults();
  private static final long HALF_LIFE_MILLIS = ENGINE.interestHalfLife().toMillis();

  public static DecayedInterest empty() {
    return new DecayedInterest(DecayedScores.empty());
  }

  /** The engine's weight of one behavior of {@code type}. */
  public static double weight(BehaviorType type) {
    return ENGINE.interestWeight(type);
  }

  /** The interests after folding {@code behaviors} in list order (the engine folds in arrival order). */
  public static DecayedInterest of(List<RecentBehavior> behaviors) {
    DecayedScores d = DecayedScores.empty();
    for (RecentBehavior b : behaviors)
      d = d.add(b.categoryId(), weight(b.type()), b.epochMillis(), HALF_LIFE_MILLIS, ENGINE.interestTopK());
    return new DecayedInterest(d);
  }

  /** Newest event time folded in ({@link Long#MIN_VALUE} when empty). */
  public long anchorMillis() {
    return folded.anchorMillis();
  }

  /** Kept category ids. */
  public String[] keys() {
    return folded.keys();
  }

  /** Their decayed weights as of {@link #anchorMillis()}. */
  public double[] scores() {
    return folded.scores();
  }

  /** Category id -> share of all kept weight (the engine's {@code Interest.score}), in key order. */
  public Map<String, Double> shares() {
    Map<String, Double> m = new LinkedHashMap<>();
    for (String key : folded.keys()) m.put(key, folded.share(key));
    return m;
  }
}
