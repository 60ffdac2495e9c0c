package dev.profileengine.model.encoding;

import java.util.List;

/** Standardization of the summary features, fitted on the training examples. */
public record FeatureScaler(float[] mean, float[] std) {

  public static FeatureScaler fit(List<float[]> rows, int width) {
    double[] sum = new double[width];
    double[] sq = new double[width];
    for (float[] r : rows) for (int i = 0; i < width; i++) {
      sum[i] += r[i];
      sq[i] += (double) r[i] * r[i];
    }
    float[] mean = new float[width];
    float[] std = new float[width];
    int n = Math.max(1, rows.size());
    for (int i = 0; i < width; i++) {
      double m = sum[i] / n;
      double v = Math.max(0, sq[i] / n - m * m);
      mean[i] = (float) m;
      std[i] = v < 1e-8 ? 1f : (float) Math.sqrt(v);
    }
    return new FeatureScaler(mean, std);
  }

  public static FeatureScaler identity(int width) {
    float[] one = new float[width];
    java.util.Arrays.fill(one, 1f);
    return new FeatureScaler(new float[width], one);
  }

  public float[] apply(float[] raw) {
    float[] out = new float[raw.length];
    for (int i = 0; i < raw.length; i++) out[i] = (raw[i] - mean[i]) / std[i];
    return out;
  }
}
