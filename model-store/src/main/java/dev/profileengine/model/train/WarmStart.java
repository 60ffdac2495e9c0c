package dev.profileengine.model.train;

import dev.profileengine.profile.BehaviorType;
import java.util.List;

/**
 * A multinomial logistic regression of the next type on the (standardized) summary features,
 * fitted by full-batch gradient descent in plain Java. Its weights initialise the network's
 * "wide" path, so training starts from what a linear model on the features knows and the GRU
 * path only has to learn what it adds (its output layer starts at zero).
 *
 * @param weights (types, features)
 * @param bias per type
 */
public record WarmStart(float[][] weights, float[] bias) {

  public static WarmStart fit(List<float[]> x, int[] labels, boolean[] active, int iterations, double l2) {
    int k = BehaviorType.count();
    int f = x.isEmpty() ? 0 : x.get(0).length;
    double[][] w = new double[k][f + 1];
    double rate = 0.5;
    for (int it = 0; it < iterations; it++) {
      double[][] g = new double[k][f + 1];
      for (int i = 0; i < x.size(); i++) {
        float[] xi = x.get(i);
        double[] p = probabilities(w, xi, active);
        for (int c = 0; c < k; c++) {
          if (!active[c]) continue;
          double d = p[c] - (labels[i] == c ? 1 : 0);
          double[] gc = g[c];
          for (int j = 0; j < f; j++) gc[j] += d * xi[j];
          gc[f] += d;
        }
      }
      for (int c = 0; c < k; c++)
        for (int j = 0; j <= f; j++) w[c][j] -= rate * (g[c][j] / Math.max(1, x.size()) + (j < f ? l2 * w[c][j] : 0));
    }
    float[][] weights = new float[k][f];
    float[] bias = new float[k];
    for (int c = 0; c < k; c++) {
      for (int j = 0; j < f; j++) weights[c][j] = (float) w[c][j];
      bias[c] = (float) w[c][f];
    }
    return new WarmStart(weights, bias);
  }

  static double[] probabilities(double[][] w, float[] x, boolean[] active) {
    int k = w.length;
    int f = x.length;
    double[] z = new double[k];
    double max = Double.NEGATIVE_INFINITY;
    for (int c = 0; c < k; c++) {
      if (!active[c]) continue;
      double s = w[c][f];
      for (int j = 0; j < f; j++) s += w[c][j] * x[j];
      z[c] = s;
      max = Math.max(max, s);
    }
    double sum = 0;
    for (int c = 0; c < k; c++) {
      z[c] = active[c] ? Math.exp(z[c] - max) : 0;
      sum += z[c];
    }
    for (int c = 0; c < k; c++) z[c] /= sum;
    return z;
  }
}
