package dev.profileengine.model.eval;

import dev.profileengine.model.encoding.BehaviorStats;
import dev.profileengine.profile.BehaviorType;
import java.util.function.ToDoubleFunction;

/**
 * The decision rule's tuning, shared by the model and the baselines it is compared with: a
 * coordinate search of per-type log biases (the majority type fixed), four rounds of finer steps,
 * keeping each change that raises {@code score} (validation macro-F1).
 */
public final class BiasSearch {
  private BiasSearch() {}

  /** The best biases found from {@code start}, whose score is {@code startScore}. */
  public static double[] refine(double[] start, double startScore, BehaviorStats stats, ToDoubleFunction<double[]> score) {
    int majority = stats.majority().ordinal();
    double[] bias = start;
    double best = startScore;
    for (int round = 0; round < 4; round++) {
      double step = 0.1 / (1 << round);
      for (BehaviorType t : stats.activeTypes()) {
        if (t.ordinal() == majority) continue;
        for (int s = -20; s <= 20; s++) {
          double[] b = bias.clone();
          b[t.ordinal()] += s * step;
          double f = score.applyAsDouble(b);
          if (f > best + 1e-9) {
            best = f;
            bias = b;
          }
        }
      }
    }
    return bias;
  }
}
