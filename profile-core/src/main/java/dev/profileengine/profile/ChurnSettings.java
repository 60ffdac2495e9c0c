package dev.profileengine.profile;

import java.time.Duration;

/**
 * Weights and constants of {@link ChurnRisk} (config {@code profile.churn}).
 *
 * @param recencyWeight weight of the silence-versus-habit term ({@code recency-weight})
 * @param frequencyWeight weight of the 7d-versus-30d activity decline term ({@code frequency-weight})
 * @param predictionWeight 0..1, how much a low predicted purchase+cart probability raises the risk
 *     that remains ({@code prediction-weight})
 * @param halfRiskGapRatio the silence, in multiples of the user's usual gap, at which the recency
 *     term reaches 0.5 ({@code half-risk-gap-ratio})
 * @param defaultGap the usual gap assumed for a user with fewer than two sessions ({@code default-gap})
 * @param minGap floor on the usual gap, so users with tight sessions are not alarmed by one quiet
 *     evening ({@code min-gap})
 * @param engagedProbability purchase+cart probability at or above which the model adds no risk
 *     ({@code engaged-probability})
 */
public record ChurnSettings(
    double recencyWeight,
    double frequencyWeight,
    double predictionWeight,
    double halfRiskGapRatio,
    Duration defaultGap,
    Duration minGap,
    double engagedProbability) {

  public ChurnSettings {
    if (recencyWeight < 0 || frequencyWeight < 0 || recencyWeight + frequencyWeight <= 0)
      throw new IllegalArgumentException("profile.churn: recency-weight and frequency-weight must be >= 0 with a positive sum, got "
          + recencyWeight + " and " + frequencyWeight);
    if (predictionWeight < 0 || predictionWeight > 1)
      throw new IllegalArgumentException("profile.churn.prediction-weight must be within 0..1, got " + predictionWeight);
    if (!(halfRiskGapRatio > 0))
      throw new IllegalArgumentException("profile.churn.half-risk-gap-ratio must be positive, got " + halfRiskGapRatio);
    if (defaultGap.isNegative() || defaultGap.isZero())
      throw new IllegalArgumentException("profile.churn.default-gap must be positive, got " + defaultGap);
    if (minGap.isNegative() || minGap.isZero())
      throw new IllegalArgumentException("profile.churn.min-gap must be positive, got " + minGap);
    if (!(engagedProbability > 0) || engagedProbability > 1)
      throw new IllegalArgumentException("profile.churn.engaged-probability must be within (0, 1], got " + engagedProbability);
  }

  public static ChurnSettings defaults() {
    return new ChurnSettings(0.6, 0.4, 0.15, 3.0, Duration.ofDays(7), Duration.ofHours(1), 0.3);
  }
}
