package dev.profileengine.model.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.profileengine.model.dataset.BehaviorDataset;
import dev.profileengine.model.dataset.ChronologicalSplit;
import dev.profileengine.model.encoding.BehaviorStats;
import dev.profileengine.profile.BehaviorType;
import dev.profileengine.profile.RecentBehavior;
import java.util.List;
import org.junit.jupiter.api.Test;

class TunedBaselineTest {
  private final BehaviorDataset data = SyntheticUsers.dataset(SyntheticUsers.users(60, 80, 21));
  private final List<List<RecentBehavior>> history = Evaluator.historyParts(data, ChronologicalSplit.DEFAULT);
  private final BehaviorStats stats = BehaviorStats.fit(history);
  private final List<Evaluator.Target> validation = Evaluator.validationTargets(data, ChronologicalSplit.DEFAULT);

  @Test
  void tunedIsNeverWorseThanRawOnTheTuningSlice() {
    boolean improved = false;
    for (Baseline b : Baseline.standard(stats, history)) {
      if (!(b instanceof Baseline.TypeBaseline raw)) continue;
      TunedBaseline tuned = TunedBaseline.fit(raw, validation, stats);
      BehaviorMetrics r = new BehaviorMetrics();
      BehaviorMetrics t = new BehaviorMetrics();
      for (Evaluator.Target v : validation) {
        double[] p = raw.predict(v.before());
        r.add(p, raw.decide(v.before(), p), v.actual().type());
        double[] q = tuned.predict(v.before());
        t.add(q, tuned.decide(v.before(), q), v.actual().type());
      }
      assertTrue(t.logLoss() <= r.logLoss() + 1e-12, b.key() + " log-loss " + t.logLoss() + " vs raw " + r.logLoss());
      assertTrue(t.macroF1() >= r.macroF1() - 1e-12, b.key() + " macro-F1 " + t.macroF1() + " vs raw " + r.macroF1());
      improved |= t.logLoss() < r.logLoss() - 1e-4 || t.macroF1() > r.macroF1() + 1e-4;
      assertEquals(b.key() + "Tuned", tuned.key());
    }
    assertTrue(improved, "the tuning changes something on this data");
  }

  @Test
  void neutralTuningIsTheRawBaseline() {
    Baseline.TypeBaseline raw = new Baseline.UserMarkov(stats, 4.0);
    TunedBaseline neutral = new TunedBaseline(raw, 1.0, 0.0, stats.prior(), new double[BehaviorType.count()]);
    for (Evaluator.Target v : validation.subList(0, 50)) {
      double[] p = raw.predict(v.before());
      assertArrayEquals(p, neutral.predict(v.before()), 0.0);
      assertEquals(raw.decide(v.before(), p), neutral.decide(v.before(), p));
    }
  }

  @Test
  void calibrationSumsToOneAndMixesThePrior() {
    double[] prior = {0.5, 0, 0.25, 0.25, 0, 0};
    double[] p = {0.9, 0, 0.1, 0, 0, 0};
    double[] q = TunedBaseline.calibrate(p, 2.0, 0.2, prior);
    assertEquals(1.0, java.util.Arrays.stream(q).sum(), 1e-12);
    double s = Math.sqrt(0.9) + Math.sqrt(0.1);
    assertEquals(0.8 * Math.sqrt(0.9) / s + 0.2 * 0.5, q[0], 1e-12);
    assertEquals(0.2 * 0.25, q[3], 1e-12, "a zero probability gets the prior's share");
  }

  @Test
  void evaluationShowsRawAndTunedRowsSideBySide() {
    EvaluationReport r = Evaluator.evaluate(data, ChronologicalSplit.DEFAULT, null, new Bootstrap.Options(50, 1));
    List<String> keys = List.copyOf(r.rows().keySet());
    for (String k : List.of("majority", "globalMarkov", "userMarkov", "repeatLast")) {
      assertEquals(keys.indexOf(k) + 1, keys.indexOf(k + "Tuned"), k);
      assertEquals(EvaluationReport.Kind.TUNED_BASELINE, r.rows().get(k + "Tuned").kind());
    }
    assertTrue(r.bestBaseline(m -> m.logLoss(), true) <= r.bestBaseline(m -> m.logLoss(), true, false));
  }
}
