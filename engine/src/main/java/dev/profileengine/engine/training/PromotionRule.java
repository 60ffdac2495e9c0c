package dev.profileengine.engine.training;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * When a trained candidate is served and when it replaces the serving model, on log-loss (the
 * probability the model gave the behavior that actually came next, so a better-calibrated model wins).
 *
 * @param offlineMaxLogLossRatio the candidate is served as A/B candidate only if its held-out log-loss is
 *     at most the serving model's times this
 * @param minScored online predictions each version must have scored before a decision
 * @param maxLogLossRatio promote when the candidate's online log-loss is at most the serving model's times this
 * @param maxCompare roll back when the comparison has not reached {@code minScored} by then
 */
public record PromotionRule(double offlineMaxLogLossRatio, long minScored, double maxLogLossRatio, Duration maxCompare) {

  public PromotionRule {
    if (!(offlineMaxLogLossRatio > 0)) throw new IllegalArgumentException("offline-max-log-loss-ratio must be > 0, was " + offlineMaxLogLossRatio);
    if (minScored < 1) throw new IllegalArgumentException("min-scored must be >= 1, was " + minScored);
    if (!(maxLogLossRatio > 0)) throw new IllegalArgumentException("max-log-loss-ratio must be > 0, was " + maxLogLossRatio);
    if (maxCompare.isNegative() || maxCompare.isZero()) throw new IllegalArgumentException("max-compare must be > 0, was " + maxCompare);
  }

  public sealed interface Decision {}

  public record Wait() implements Decision {}

  public record Promote(String reason) implements Decision {}

  public record RollBack(String reason) implements Decision {}

  /** Why the candidate is not served at all (empty: serve it); no serving figure means nothing to beat. */
  public Optional<String> offlineRefusal(TrainingRun.Quality candidate, TrainingRun.Quality serving) {
    if (!Double.isFinite(candidate.logLoss())) return Optional.of("held-out log-loss of the candidate is not a number");
    if (serving == null || candidate.logLoss() <= serving.logLoss() * offlineMaxLogLossRatio) return Optional.empty();
    return Optional.of(String.format(Locale.ROOT, "held-out log-loss %.4f, serving model %.4f: above %.2fx (offline-max-log-loss-ratio)",
        candidate.logLoss(), serving.logLoss(), offlineMaxLogLossRatio));
  }

  /** The online decision after {@code elapsed} of comparison. */
  public Decision decide(TrainingRun.Online candidate, TrainingRun.Online serving, Duration elapsed) {
    if (candidate.scored() >= minScored && serving.scored() >= minScored) {
      String figures = String.format(Locale.ROOT, "online log-loss %.4f over %d predictions, serving model %.4f over %d",
          candidate.logLoss(), candidate.scored(), serving.logLoss(), serving.scored());
      if (candidate.logLoss() <= serving.logLoss() * maxLogLossRatio)
        return new Promote(figures + String.format(Locale.ROOT, ": at most %.2fx (max-log-loss-ratio)", maxLogLossRatio));
      return new RollBack(figures + String.format(Locale.ROOT, ": above %.2fx (max-log-loss-ratio)", maxLogLossRatio));
    }
    if (elapsed.compareTo(maxCompare) >= 0)
      return new RollBack(String.format(Locale.ROOT, "%d and %d predictions scored in %s, %d needed (min-scored, max-compare)",
          candidate.scored(), serving.scored(), maxCompare, minScored));
    return new Wait();
  }
}
