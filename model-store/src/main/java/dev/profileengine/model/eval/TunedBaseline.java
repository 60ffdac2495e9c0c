package dev.profileengine.model.eval;

import dev.profileengine.model.encoding.BehaviorStats;
import dev.profileengine.profile.BehaviorType;
import dev.profileengine.profile.RecentBehavior;
import java.util.List;

/**
 * A next-behavior baseline given the same kind of tuning on the validation slice as the model's
 * output policy, so the comparison does not credit the model with tuning alone.
 *
 * <ul>
 *   <li>probabilities: the baseline's, sharpened or flattened by a temperature ({@code p^(1/T)},
 *       renormalised), then mixed linearly with the global prior, {@code (1 - w) q + w prior}; T and
 *       w minimise validation log-loss (the model pools with the per-user Markov estimate instead,
 *       which for the Markov baselines would be the baseline itself);
 *   <li>decision: {@code argmax_t log p_raw(t) + logBias[t]}, biases by coordinate search for
 *       validation macro-F1 as in the model's policy. It reads the raw probabilities so zero
 *       biases are exactly the raw baseline's argmax: the search starts from the better of zero
 *       and {@code -0.5 log prior} and only accepts improvements, so it is never worse than the
 *       raw baseline on the tuning slice.
 * </ul>
 */
public record TunedBaseline(Baseline.TypeBaseline raw, double temperature, double priorWeight, double[] prior, double[] logBias)
    implements Baseline.TypeBaseline {

  public TunedBaseline {
    prior = prior.clone();
    logBias = logBias.clone();
  }

  public String key() {
    return raw.key() + "Tuned";
  }

  public String title() {
    return raw.title() + ", tuned";
  }

  @Override
  public double[] predict(List<RecentBehavior> before) {
    return calibrate(raw.predict(before), temperature, priorWeight, prior);
  }

  @Override
  public BehaviorType decide(List<RecentBehavior> before, double[] calibrated) {
    return decide(raw.predict(before), logBias);
  }

  /** Fits temperature, prior weight and decision biases of {@code raw} on the validation targets. */
  public static TunedBaseline fit(Baseline.TypeBaseline raw, List<Evaluator.Target> validation, BehaviorStats stats) {
    double[][] p = new double[validation.size()][];
    int[] labels = new int[validation.size()];
    for (int i = 0; i < p.length; i++) {
      p[i] = raw.predict(validation.get(i).before());
      labels[i] = validation.get(i).actual().type().ordinal();
    }
    double[] prior = stats.prior();
    double[] tw = calibration(p, labels, prior);
    return new TunedBaseline(raw, tw[0], tw[1], prior, decisionBias(p, labels, stats));
  }

  static double[] calibrate(double[] p, double temperature, double priorWeight, double[] prior) {
    if (temperature == 1 && priorWeight == 0) return p.clone();
    double[] q = new double[p.length];
    double sum = 0;
    for (int i = 0; i < p.length; i++) {
      q[i] = p[i] > 0 ? Math.pow(p[i], 1 / temperature) : 0;
      sum += q[i];
    }
    for (int i = 0; i < p.length; i++) q[i] = (1 - priorWeight) * (sum > 0 ? q[i] / sum : 0) + priorWeight * prior[i];
    return q;
  }

  static BehaviorType decide(double[] raw, double[] logBias) {
    int best = 0;
    double bestScore = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < raw.length; i++) {
      double s = Math.log(Math.max(1e-300, raw[i])) + logBias[i];
      if (s > bestScore) {
        bestScore = s;
        best = i;
      }
    }
    return BehaviorType.ofIndex(best);
  }

  static double logLoss(double[][] p, int[] labels, double temperature, double priorWeight, double[] prior) {
    double ll = 0;
    for (int i = 0; i < p.length; i++)
      ll -= Math.log(Math.max(1e-15, calibrate(p[i], temperature, priorWeight, prior)[labels[i]]));
    return p.length == 0 ? 0 : ll / p.length;
  }

  /** {temperature, prior weight}: grid, then two finer rounds around the best (as the model's calibration). */
  static double[] calibration(double[][] p, int[] labels, double[] prior) {
    double bestT = 1;
    double bestW = 0;
    double best = logLoss(p, labels, 1, 0, prior);
    for (int ti = 0; ti <= 20; ti++)
      for (int wi = 0; wi <= 10; wi++) {
        double t = 0.5 + 0.1 * ti;
        double w = 0.05 * wi;
        double ll = logLoss(p, labels, t, w, prior);
        if (ll < best - 1e-12) {
          best = ll;
          bestT = t;
          bestW = w;
        }
      }
    for (int round = 0; round < 2; round++) {
      double ct = bestT;
      double cw = bestW;
      for (int dt = -5; dt <= 5; dt++)
        for (int dw = -5; dw <= 5; dw++) {
          double t = ct + dt * 0.02 / (round + 1);
          double w = cw + dw * 0.01 / (round + 1);
          if (t < 0.2 || w < 0 || w > 1) continue;
          double ll = logLoss(p, labels, t, w, prior);
          if (ll < best - 1e-12) {
            best = ll;
            bestT = t;
            bestW = w;
          }
        }
    }
    return new double[] {bestT, bestW};
  }

  static double macroF1(double[][] p, int[] labels, double[] bias) {
    BehaviorMetrics m = new BehaviorMetrics();
    for (int i = 0; i < p.length; i++) m.add(p[i], decide(p[i], bias), BehaviorType.ofIndex(labels[i]));
    return p.length == 0 ? 0 : m.macroF1();
  }

  /** Coordinate search of per-type log biases (majority type fixed), maximising validation macro-F1. */
  static double[] decisionBias(double[][] p, int[] labels, BehaviorStats stats) {
    double[] zero = new double[BehaviorType.count()];
    double[] fromPrior = new double[BehaviorType.count()];
    int majority = stats.majority().ordinal();
    for (BehaviorType t : stats.activeTypes())
      fromPrior[t.ordinal()] = -0.5 * Math.log(stats.prior()[t.ordinal()]) + 0.5 * Math.log(stats.prior()[majority]);
    double fz = macroF1(p, labels, zero);
    double fp = macroF1(p, labels, fromPrior);
    return BiasSearch.refine(fp > fz ? fromPrior : zero, Math.max(fz, fp), stats, b -> macroF1(p, labels, b));
  }
}
