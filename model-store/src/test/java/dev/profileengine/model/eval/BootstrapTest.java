package dev.profileengine.model.eval;

import static dev.profileengine.profile.BehaviorType.CART;
import static dev.profileengine.profile.BehaviorType.VIEW;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.profileengine.model.dataset.ChronologicalSplit;
import dev.profileengine.profile.BehaviorType;
import dev.profileengine.profile.RecentBehavior;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BootstrapTest {
  private static final List<BehaviorType> TYPES = List.of(VIEW, CART);
  private static final double[] P = new double[BehaviorType.count()];

  static {
    P[VIEW.ordinal()] = 0.7;
    P[CART.ordinal()] = 0.3;
  }

  @Test
  void identicalUsersGiveZeroWidthIntervalsAtThePointEstimate() {
    int users = 25;
    UserTally t = new UserTally(users, true, true);
    for (int u = 0; u < users; u++) {
      t.behavior(u).add(P, VIEW, VIEW);
      t.behavior(u).add(P, VIEW, CART);
      t.behavior(u).add(P, CART, CART);
      t.category(u).addEvent(List.of("a", "b"), "a");
      t.category(u).addEvent(List.of("a", "b"), "z");
      t.category(u).addUser(List.of("a"), Set.of("a", "z"));
    }
    Map<String, Double> point = t.metrics(ones(users), TYPES);
    Map<String, double[]> reps = t.replicates(new Bootstrap(users, new Bootstrap.Options(300, 5)), TYPES);
    assertEquals(point.keySet(), reps.keySet());
    assertEquals(2 / 3.0, point.get(UserTally.ACCURACY), 1e-12);
    assertEquals(0.5, point.get(UserTally.HIT_RATE), 1e-12);
    reps.forEach((k, v) -> {
      Bootstrap.Interval i = Bootstrap.percentile(v, 0.95);
      assertEquals(point.get(k), i.lo(), 1e-12, k);
      assertEquals(point.get(k), i.hi(), 1e-12, k);
    });
  }

  @Test
  void intervalContainsThePointEstimateAndIsFixedByTheSeed() {
    int users = 60;
    UserTally t = new UserTally(users, true, false);
    for (int u = 0; u < users; u++)
      for (int e = 0; e < 10; e++) t.behavior(u).add(P, VIEW, e < u % 10 ? VIEW : CART); // user u: (u mod 10) of 10 right
    double point = t.metrics(ones(users), TYPES).get(UserTally.ACCURACY);
    double[] a = t.replicates(new Bootstrap(users, new Bootstrap.Options(1000, 42)), TYPES).get(UserTally.ACCURACY);
    double[] b = t.replicates(new Bootstrap(users, new Bootstrap.Options(1000, 42)), TYPES).get(UserTally.ACCURACY);
    double[] c = t.replicates(new Bootstrap(users, new Bootstrap.Options(1000, 43)), TYPES).get(UserTally.ACCURACY);
    assertArrayEquals(a, b, "same seed, same resamples");
    assertFalse(Arrays.equals(a, c), "another seed, other resamples");
    Bootstrap.Interval i = Bootstrap.percentile(a, 0.95);
    assertTrue(i.contains(point) && i.hi() - i.lo() > 0.02, i + " around " + point);
    // users' accuracies 0.0..0.9: sd 0.29, so the mean of 60 has a standard error near 0.037
    assertTrue(i.hi() - i.lo() < 0.2, i.toString());
  }

  @Test
  void percentileInterpolatesBetweenOrderStatistics() {
    double[] v = new double[101];
    for (int i = 0; i <= 100; i++) v[i] = 100 - i;
    Bootstrap.Interval i = Bootstrap.percentile(v, 0.95);
    assertEquals(2.5, i.lo(), 1e-12);
    assertEquals(97.5, i.hi(), 1e-12);
    assertTrue(Double.isNaN(Bootstrap.percentile(new double[] {Double.NaN}, 0.95).lo()));
    assertThrows(IllegalArgumentException.class, () -> new Bootstrap.Options(-1, 1));
  }

  @Test
  void pairedDifferenceHasTheSignOfTheBetterPredictor() {
    Map<String, List<RecentBehavior>> users = SyntheticUsers.users(40, 30, 7);
    Bootstrap.Options o = new Bootstrap.Options(400, 11);
    EvaluationReport good = Evaluator.evaluate(SyntheticUsers.dataset(users), ChronologicalSplit.DEFAULT,
        SyntheticUsers.oracle(users, true, "oracle"), o);
    for (String metric : List.of(UserTally.ACCURACY, UserTally.MACRO_F1, UserTally.HIT_RATE)) {
      EvaluationReport.Difference d = good.difference(metric);
      assertNotNull(d, metric);
      assertTrue(d.difference() > 0 && d.ci95().lo() > 0, metric + " " + d);
    }
    EvaluationReport.Difference ll = good.difference(UserTally.LOG_LOSS);
    assertTrue(ll.difference() < 0 && ll.ci95().hi() < 0, "lower log-loss is better: " + ll);

    EvaluationReport bad = Evaluator.evaluate(SyntheticUsers.dataset(users), ChronologicalSplit.DEFAULT,
        SyntheticUsers.oracle(users, false, "anti-oracle"), o);
    EvaluationReport.Difference acc = bad.difference(UserTally.ACCURACY);
    assertTrue(acc.difference() < 0 && acc.ci95().hi() < 0, acc.toString());
    assertTrue(bad.difference(UserTally.LOG_LOSS).ci95().lo() > 0);
    // every row's interval holds its point estimate; the model's paired difference uses the same resamples
    for (EvaluationReport.Row r : bad.rows().values()) {
      if (r.metrics().accuracy() != null) assertTrue(r.ci95().get(UserTally.ACCURACY).contains(r.metrics().accuracy()), r.title());
      if (r.metrics().categoryHitRateAt10() != null)
        assertTrue(r.ci95().get(UserTally.HIT_RATE).contains(r.metrics().categoryHitRateAt10()), r.title());
    }
    assertEquals(good.users(), bad.users());
  }

  @Test
  void noResamplesMeansNoIntervals() {
    Map<String, List<RecentBehavior>> users = SyntheticUsers.users(10, 20, 3);
    EvaluationReport r = Evaluator.evaluate(SyntheticUsers.dataset(users), ChronologicalSplit.DEFAULT,
        SyntheticUsers.oracle(users, true, "oracle"), new Bootstrap.Options(0, 1));
    assertTrue(r.rows().get("model").ci95().isEmpty());
    assertTrue(r.differences().isEmpty());
    assertFalse(r.toTable().contains("["));
  }

  private static int[] ones(int n) {
    int[] w = new int[n];
    Arrays.fill(w, 1);
    return w;
  }
}
