package dev.profileengine.model.dataset;

/**
 * The per-user chronological split: the first {@code floor(historyFraction * n)} of a user's
 * {@code n} events are history (training), the rest are held out. Inside the history, the
 * targets from {@link #validationStart(int)} on form the validation slice (early stopping,
 * calibration, the decision rule); the held-out events are never used for fitting.
 *
 * @param historyFraction share of each user's events used for training, 0.8
 * @param validationFraction share of each user's history whose targets are validation, 0.15
 */
public record ChronologicalSplit(double historyFraction, double validationFraction) {
  public static final ChronologicalSplit DEFAULT = new ChronologicalSplit(0.8, 0.15);

  public ChronologicalSplit {
    if (!(historyFraction > 0 && historyFraction <= 1)) throw new IllegalArgumentException("historyFraction in (0, 1]");
    if (!(validationFraction >= 0 && validationFraction < 1)) throw new IllegalArgumentException("validationFraction in [0, 1)");
  }

  /** Number of history events of a user with {@code n} events. */
  public int historyLength(int n) {
    return (int) Math.floor(historyFraction * n + 1e-9);
  }

  /** First history index whose target belongs to the validation slice (targets are indices 1..h-1). */
  public int validationStart(int historyLength) {
    int v = (int) Math.ceil(validationFraction * historyLength - 1e-9);
    return Math.max(1, historyLength - v);
  }
}
