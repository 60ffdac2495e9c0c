package dev.profileengine.model.eval;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/**
 * Percentile bootstrap over users: each resample draws as many users as there are, with
 * replacement, and is represented by each user's multiplicity, so a metric of a resample is a
 * weighted sum of per-user accumulators (the model is never re-run). Every predictor is measured
 * on the same resamples, which makes differences between predictors paired.
 */
public final class Bootstrap {
  public static final int DEFAULT_RESAMPLES = 1000;
  public static final long DEFAULT_SEED = 1L;

  /** Number of resamples (0 = no intervals) and the seed that fixes them. */
  public record Options(int resamples, long seed) {
    public static final Options DEFAULT = new Options(DEFAULT_RESAMPLES, DEFAULT_SEED);

    public Options {
      if (resamples < 0) throw new IllegalArgumentException("bootstrap resamples must be >= 0, got " + resamples);
    }
  }

  /** A two-sided interval; NaN bounds when no resample had a value. */
  public record Interval(double lo, double hi) {
    public boolean contains(double x) {
      return x >= lo && x <= hi;
    }

    /** True when the whole interval is on one side of 0 (a paired difference that is not noise at this level). */
    public boolean excludesZero() {
      return lo > 0 || hi < 0;
    }
  }

  private final int[][] draws;
  private final Options options;

  public Bootstrap(int users, Options options) {
    this.options = options;
    this.draws = new int[options.resamples()][users];
    SplittableRandom random = new SplittableRandom(options.seed());
    for (int[] w : draws)
      for (int i = 0; i < users; i++) w[random.nextInt(users)]++;
  }

  public Options options() {
    return options;
  }

  public int resamples() {
    return draws.length;
  }

  /** The per-user multiplicities of resample {@code r} (read only). */
  int[] draw(int r) {
    return draws[r];
  }

  /** The statistic on every resample, given that resample's per-user multiplicities. */
  public double[] replicate(ToDoubleFunction<int[]> statistic) {
    double[] out = new double[draws.length];
    for (int r = 0; r < draws.length; r++) out[r] = statistic.applyAsDouble(draws[r]);
    return out;
  }

  /** Central percentile interval of {@code level} (e.g. 0.95); NaN replicates are ignored. */
  public static Interval percentile(double[] replicates, double level) {
    double[] v = Arrays.stream(replicates).filter(x -> !Double.isNaN(x)).sorted().toArray();
    if (v.length == 0) return new Interval(Double.NaN, Double.NaN);
    double tail = (1 - level) / 2;
    return new Interval(quantile(v, tail), quantile(v, 1 - tail));
  }

  /** Linear interpolation between order statistics (type 7, as R and NumPy default). */
  static double quantile(double[] sorted, double q) {
    double pos = q * (sorted.length - 1);
    int i = (int) Math.floor(pos);
    if (i >= sorted.length - 1) return sorted[sorted.length - 1];
    double f = pos - i;
    return f == 0 ? sorted[i] : sorted[i] + f * (sorted[i + 1] - sorted[i]);
  }
}
