package dev.profileengine.profile;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A profile rendered for readers (the JSON of {@code GET /v1/profiles/{userId}}).
 *
 * @param asOf the instant the windows, decay and recency were computed for
 * @param counts {@code "1h"}, {@code "24h"}, {@code "7d"}, {@code "30d"}, {@code "lifetime"},
 *     each keyed by behavior type
 * @param interests {@code categories} and {@code brands}, each a list of {id, score, weight}
 * @param churn churn risk 0..1 and the reasons behind it
 * @param flags raised anomaly flags, each {name, reason}
 * @param segments ids of the segments the user belongs to, sorted
 * @param identities the profile's identities by type ({@code userId}, {@code anonymousId}, configured types), the canonical one included
 */
public record ProfileView(
    String userId,
    long eventCount,
    Instant firstSeen,
    Instant lastEventTime,
    Instant asOf,
    Map<String, Map<String, Long>> counts,
    Sessions.SessionView sessions,
    Interests interests,
    Spend.SpendView spend,
    ContextStats.ContextView context,
    Map<String, Object> attributes,
    List<Recent> recent,
    PredictionView prediction,
    Churn churn,
    List<Flag> flags,
    List<String> segments,
    ConsentView consent,
    Map<String, List<String>> identities) {

  /** Effective consent per purpose (explicit choice or default) and when the user last decided. */
  public record ConsentView(Map<String, Boolean> purposes, Instant updatedAt) {}

  /**
   * The latest next-behavior prediction; {@code stale} when events arrived after the state it was
   * computed from (a newer one is on its way, or the model could not keep up).
   */
  public record PredictionView(String modelVersion, long asOfEventCount, String asOfEventId, Map<String, Double> nextBehavior,
                               String predictedBehavior, List<ProfilePrediction.Category> nextCategories, Instant computedAt,
                               boolean stale) {
    static PredictionView of(ProfilePrediction p, long eventCount) {
      return new PredictionView(p.modelVersion(), p.asOfEventCount(), p.asOfEventId(), p.nextBehavior(), p.predictedBehavior(),
          p.nextCategories(), p.computedAt(), p.asOfEventCount() < eventCount);
    }
  }

  /** Interest rankings, best first. */
  public record Interests(List<DecayedScores.Interest> categories, List<DecayedScores.Interest> brands) {}

  /** One recent behavior as shown to readers. */
  public record Recent(String type, String categoryId, Instant time) {
    static Recent of(RecentBehavior b) {
      return new Recent(b.type().wire(), b.categoryId(), Instant.ofEpochMilli(b.epochMillis()));
    }
  }
}
