package dev.profileengine.model.eval;

import dev.profileengine.profile.BehaviorType;

/**
 * Accumulates next-behavior predictions: accuracy, macro-F1 (averaged over the types that occur
 * as label or as prediction, like scikit-learn) and log-loss (probabilities clipped at 1e-15).
 */
public final class BehaviorMetrics {
  private static final double EPS = 1e-15;
  private final int types = BehaviorType.count();
  private final long[][] confusion = new long[types][types];
  private double logLossSum;
  private long n;

  public void add(double[] probabilities, BehaviorType predicted, BehaviorType actual) {
    confusion[actual.ordinal()][predicted.ordinal()]++;
    logLossSum += -Math.log(Math.max(EPS, probabilities[actual.ordinal()]));
    n++;
  }

  /** Adds {@code times} copies of another accumulator (a bootstrap draw of one user). */
  public void addAll(BehaviorMetrics other, int times) {
    for (int i = 0; i < types; i++)
      for (int j = 0; j < types; j++) confusion[i][j] += times * other.confusion[i][j];
    logLossSum += times * other.logLossSum;
    n += times * other.n;
  }

  public long count() {
    return n;
  }

  public double accuracy() {
    long ok = 0;
    for (int i = 0; i < types; i++) ok += confusion[i][i];
    return n == 0 ? Double.NaN : (double) ok / n;
  }

  public double logLoss() {
    return n == 0 ? Double.NaN : logLossSum / n;
  }

  public double f1(BehaviorType t) {
    int k = t.ordinal();
    long tp = confusion[k][k];
    long fp = 0;
    long fn = 0;
    for (int i = 0; i < types; i++) {
      if (i == k) continue;
      fp += confusion[i][k];
      fn += confusion[k][i];
    }
    return tp == 0 ? 0.0 : 2.0 * tp / (2.0 * tp + fp + fn);
  }

  public double macroF1() {
    double sum = 0;
    int classes = 0;
    for (int k = 0; k < types; k++) {
      long asLabel = 0;
      long asPred = 0;
      for (int i = 0; i < types; i++) {
        asLabel += confusion[k][i];
        asPred += confusion[i][k];
      }
      if (asLabel + asPred == 0) continue;
      sum += f1(BehaviorType.ofIndex(k));
      classes++;
    }
    return classes == 0 ? Double.NaN : sum / classes;
  }

  /** Share of each type among the labels. */
  public double labelShare(BehaviorType t) {
    long c = 0;
    for (int i = 0; i < types; i++) c += confusion[t.ordinal()][i];
    return n == 0 ? 0 : (double) c / n;
  }
}
