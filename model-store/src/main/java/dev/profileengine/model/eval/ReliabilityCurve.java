package dev.profileengine.model.eval;

import dev.profileengine.profile.BehaviorType;
import java.util.ArrayList;
import java.util.List;

/**
 * Reliability (calibration) curve of next-behavior probabilities, one-vs-rest over every type:
 * each (event, type) pair falls in one of ten equal-width probability bins; per bin the mean
 * predicted probability and the observed frequency of that type.
 */
public final class ReliabilityCurve {
  public static final int BINS = 10;
  private final double[] predicted = new double[BINS];
  private final long[] observed = new long[BINS];
  private final long[] count = new long[BINS];

  /** One bin: mean predicted probability, observed frequency, number of (event, type) pairs. */
  public record Bin(double meanPredicted, double observedFrequency, long count) {}

  public void add(double[] probabilities, BehaviorType actual) {
    for (int t = 0; t < probabilities.length; t++) {
      double p = probabilities[t];
      int b = Math.min(BINS - 1, Math.max(0, (int) (p * BINS)));
      predicted[b] += p;
      count[b]++;
      if (t == actual.ordinal()) observed[b]++;
    }
  }

  /** The non-empty bins, lowest probability first. */
  public List<Bin> bins() {
    List<Bin> out = new ArrayList<>();
    for (int b = 0; b < BINS; b++)
      if (count[b] > 0) out.add(new Bin(predicted[b] / count[b], (double) observed[b] / count[b], count[b]));
    return out;
  }
}
