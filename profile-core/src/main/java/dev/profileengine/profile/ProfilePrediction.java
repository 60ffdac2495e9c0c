package dev.profileengine.profile;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The model's latest prediction of the user's next behavior, as the profile keeps it.
 *
 * @param modelVersion the registry version (or the fallback) that produced it
 * @param asOfEventCount the profile's event count the prediction was computed from
 * @param asOfEventId the latest event (by event time) at that point
 * @param nextBehavior probability per behavior type (wire names), summing to 1
 * @param predictedBehavior the model's decision (may differ from the most probable type)
 * @param nextCategories the most likely next categories, best first
 */
public record ProfilePrediction(
    String modelVersion,
    long asOfEventCount,
    String asOfEventId,
    Map<String, Double> nextBehavior,
    String predictedBehavior,
    List<Category> nextCategories,
    Instant computedAt) {

  public record Category(String id, double probability) {}

  // Compact forms of the two collections: a live profile holds its prediction in memory.
  public ProfilePrediction {
    nextBehavior = BehaviorOdds.of(nextBehavior);
    nextCategories = CategoryOdds.of(nextCategories);
  }

  /** The probability this prediction gave to {@code type} (wire name), 0 if absent. */
  public double probability(String type) {
    return nextBehavior.getOrDefault(type, 0.0);
  }
}
