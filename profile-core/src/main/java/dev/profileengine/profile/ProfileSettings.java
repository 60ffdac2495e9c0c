package dev.profileengine.profile;

import java.time.Duration;
import java.util.Map;

/**
 * Tunables of the profile math. Changing them changes how journaled events are folded on the
 * next recovery, never the journal itself.
 *
 * @param allowedLateness events older than the profile's latest event time by more than this are
 *     rejected {@code too_late}; ids are remembered for deduplication over the same horizon
 * @param sessionGap inactivity that closes a session
 * @param interestHalfLife half-life of the exponential decay of interest scores
 * @param interestWeights weight of one behavior of each type in interest scores (by ordinal)
 * @param interestTopK categories (and brands) kept per profile
 * @param contextTopK distinct values kept per context dimension, the rest counted as "other"
 * @param recentBehaviors length of the recent behavior sequence (the model input)
 * @param maxRememberedIds cap on remembered event ids; beyond it the oldest are forgotten and
 *     events not newer than them are rejected as too late, so exactly-once still holds
 * @param churn constants of the churn risk score
 * @param risk thresholds of the anomaly flags
 * @param consentDefaults consent of purposes a user never decided on
 */
public record ProfileSettings(
    Duration allowedLateness,
    Duration sessionGap,
    Duration interestHalfLife,
    double[] interestWeights,
    int interestTopK,
    int contextTopK,
    int recentBehaviors,
    int maxRememberedIds,
    RfmThresholds rfm,
    ChurnSettings churn,
    RiskSettings risk,
    Consent.ConsentDefaults consentDefaults) {

  public ProfileSettings {
    if (allowedLateness.isNegative()) throw new IllegalArgumentException("allowed lateness must not be negative");
    if (sessionGap.isNegative() || sessionGap.isZero()) throw new IllegalArgumentException("session gap must be positive");
    if (interestHalfLife.isNegative() || interestHalfLife.isZero()) throw new IllegalArgumentException("interest half-life must be positive");
    if (interestWeights.length != BehaviorType.count()) throw new IllegalArgumentException("one interest weight per behavior type");
    if (interestTopK < 1 || contextTopK < 1 || recentBehaviors < 1 || maxRememberedIds < 1)
      throw new IllegalArgumentException("top-K sizes, recent length and id cap must be positive");
  }

  public static ProfileSettings defaults() {
    return new ProfileSettings(
        Duration.ofHours(1),
        Duration.ofMinutes(30),
        Duration.ofDays(7),
        weights(Map.of(
            BehaviorType.VIEW, 1.0, BehaviorType.CLICK, 1.0, BehaviorType.SEARCH, 0.5,
            BehaviorType.FAVORITE, 3.0, BehaviorType.CART, 4.0, BehaviorType.PURCHASE, 6.0)),
        10, 8, 50, 4096,
        RfmThresholds.defaults(),
        ChurnSettings.defaults(),
        RiskSettings.defaults(),
        Consent.ConsentDefaults.grantedAll());
  }

  /** Weights by behavior type, 0 for a type not named. */
  public static double[] weights(Map<BehaviorType, Double> byType) {
    double[] w = new double[BehaviorType.count()];
    byType.forEach((t, v) -> w[t.ordinal()] = v);
    return w;
  }

  public double interestWeight(BehaviorType type) {
    return interestWeights[type.ordinal()];
  }

  public ProfileSettings withAllowedLateness(Duration lateness) {
    return new ProfileSettings(lateness, sessionGap, interestHalfLife, interestWeights, interestTopK, contextTopK, recentBehaviors, maxRememberedIds, rfm, churn, risk, consentDefaults);
  }

  public ProfileSettings withChurn(ChurnSettings c) {
    return new ProfileSettings(allowedLateness, sessionGap, interestHalfLife, interestWeights, interestTopK, contextTopK, recentBehaviors, maxRememberedIds, rfm, c, risk, consentDefaults);
  }

  public ProfileSettings withRisk(RiskSettings r) {
    return new ProfileSettings(allowedLateness, sessionGap, interestHalfLife, interestWeights, interestTopK, contextTopK, recentBehaviors, maxRememberedIds, rfm, churn, r, consentDefaults);
  }

  public ProfileSettings withConsentDefaults(Consent.ConsentDefaults defaults) {
    return new ProfileSettings(allowedLateness, sessionGap, interestHalfLife, interestWeights, interestTopK, contextTopK, recentBehaviors, maxRememberedIds, rfm, churn, risk, defaults);
  }

  public ProfileSettings withMaxRememberedIds(int max) {
    return new ProfileSettings(allowedLateness, sessionGap, interestHalfLife, interestWeights, interestTopK, contextTopK, recentBehaviors, max, rfm, churn, risk, consentDefaults);
  }
}
