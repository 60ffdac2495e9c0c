package dev.profileengine.model.train;

import dev.profileengine.model.encoding.BehaviorStats;
import dev.profileengine.model.encoding.CategoryVocabulary;
import dev.profileengine.model.encoding.SummaryFeatures;
import dev.profileengine.model.eval.BiasSearch;
import dev.profileengine.model.eval.BehaviorMetrics;
import dev.profileengine.model.nn.NetOutput;
import dev.profileengine.model.nn.OutputPolicy;
import dev.profileengine.model.recommend.CategoryScore;
import dev.profileengine.profile.BehaviorType;
import java.util.List;

/**
 * Fits the {@link OutputPolicy} on the validation part of the training data (never on the
 * held-out events): temperature for log-loss, per-type decision bias for macro-F1, category
 * blend for HitRate@10.
 */
public final class PolicyFitter {
  private PolicyFitter() {}

  public static OutputPolicy fit(NetOutput val, Examples v, BehaviorStats stats, CategoryVocabulary vocab, boolean[] active) {
    OutputPolicy p = OutputPolicy.neutral();
    if (v.size() == 0) return p;
    double[][] markov = markov(v, stats);
    p = calibration(val, markov, v, active);
    p = p.withLogBias(decisionBias(p, val, markov, v, stats, active));
    p = p.withCategoryBlend(categoryBlend(p, val, v, vocab));
    return p;
  }

  /** The per-user Markov estimate of every validation context. */
  static double[][] markov(Examples v, BehaviorStats stats) {
    double[][] m = new double[v.size()][];
    for (int i = 0; i < v.size(); i++) m[i] = SummaryFeatures.userMarkovProbabilities(v.contexts().get(i).history(), stats, SummaryFeatures.PSEUDO);
    return m;
  }

  /** Validation log-loss of a policy's probabilities. */
  static double logLoss(OutputPolicy p, NetOutput val, double[][] markov, Examples v, boolean[] active) {
    double ll = 0;
    for (int i = 0; i < v.size(); i++)
      ll -= Math.log(Math.max(1e-15, p.typeProbabilities(val.typeLogits(i), markov[i], active)[v.typeLabels()[i]]));
    return ll / v.size();
  }

  /** Temperature and Markov pooling weight minimising validation log-loss (grid, then refined). */
  static OutputPolicy calibration(NetOutput val, double[][] markov, Examples v, boolean[] active) {
    OutputPolicy best = OutputPolicy.neutral();
    double bestLoss = logLoss(best, val, markov, v, active);
    for (int wi = 0; wi <= 10; wi++) {
      for (int ti = 0; ti <= 15; ti++) {
        OutputPolicy p = OutputPolicy.neutral().withMarkovWeight(wi / 10.0).withTemperature(0.5 + ti * 0.1);
        double ll = logLoss(p, val, markov, v, active);
        if (ll < bestLoss) {
          bestLoss = ll;
          best = p;
        }
      }
    }
    for (int round = 0; round < 2; round++) {
      OutputPolicy centre = best;
      for (int dw = -5; dw <= 5; dw++) {
        for (int dt = -5; dt <= 5; dt++) {
          double w = centre.markovWeight() + dw * 0.02 / (round + 1);
          double t = centre.temperature() + dt * 0.02 / (round + 1);
          if (w < 0 || w > 1 || t < 0.2) continue;
          OutputPolicy p = OutputPolicy.neutral().withMarkovWeight(w).withTemperature(t);
          double ll = logLoss(p, val, markov, v, active);
          if (ll < bestLoss) {
            bestLoss = ll;
            best = p;
          }
        }
      }
    }
    return best;
  }

  /**
   * Coordinate search of per-type log biases (the majority type fixed at 0), starting from
   * {@code -0.5 log prior}, maximising validation macro-F1.
   */
  static double[] decisionBias(OutputPolicy policy, NetOutput val, double[][] markov, Examples v, BehaviorStats stats,
      boolean[] active) {
    double[][] probs = new double[v.size()][];
    for (int i = 0; i < v.size(); i++) probs[i] = policy.typeProbabilities(val.typeLogits(i), markov[i], active);
    double[] bias = new double[BehaviorType.count()];
    for (BehaviorType t : stats.activeTypes()) bias[t.ordinal()] = -0.5 * Math.log(stats.prior()[t.ordinal()]);
    int majority = stats.majority().ordinal();
    double base = bias[majority];
    for (int i = 0; i < bias.length; i++) bias[i] -= base;
    return BiasSearch.refine(bias, macroF1(probs, v.typeLabels(), bias, active), stats, b -> macroF1(probs, v.typeLabels(), b, active));
  }

  static double macroF1(double[][] probs, int[] labels, double[] bias, boolean[] active) {
    OutputPolicy p = OutputPolicy.neutral().withLogBias(bias);
    BehaviorMetrics m = new BehaviorMetrics();
    for (int i = 0; i < probs.length; i++) m.add(probs[i], p.decide(probs[i], active), BehaviorType.ofIndex(labels[i]));
    return m.macroF1();
  }

  static double categoryBlend(OutputPolicy policy, NetOutput val, Examples v, CategoryVocabulary vocab) {
    double bestBlend = 0;
    double best = -1;
    for (int s = 0; s <= 10; s++) {
      OutputPolicy p = policy.withCategoryBlend(s / 10.0);
      long hits = 0;
      for (int i = 0; i < v.size(); i++) {
        String actual = v.targets().get(i).categoryId();
        List<CategoryScore> top = p.topCategories(val.categoryFlat(), val.categoryOffset(i), val.categoryWidth(), vocab, v.contexts().get(i).recent(), 10);
        for (CategoryScore c : top) if (c.id().equals(actual)) {
          hits++;
          break;
        }
      }
      if (hits > best) {
        best = hits;
        bestBlend = s / 10.0;
      }
    }
    return bestBlend;
  }
}
