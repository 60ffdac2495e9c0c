package dev.profileengine.model.eval;

import static dev.profileengine.model.TestData.b;
import static dev.profileengine.profile.BehaviorType.CART;
import static dev.profileengine.profile.BehaviorType.PURCHASE;
import static dev.profileengine.profile.BehaviorType.VIEW;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.profileengine.model.dataset.BehaviorDataset;
import dev.profileengine.model.dataset.ChronologicalSplit;
import dev.profileengine.model.encoding.BehaviorStats;
import dev.profileengine.profile.BehaviorType;
import dev.profileengine.profile.RecentBehavior;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The baselines on a hand-made dataset whose numbers can be worked out on paper. */
class BaselineTest {
  // history: V V C P  and  V V V V -> 8 events, 6 views, 1 cart, 1 purchase
  private final List<List<RecentBehavior>> history = List.of(
      List.of(b(VIEW, "a", 0), b(VIEW, "a", 1), b(CART, "b", 2), b(PURCHASE, "b", 3)),
      List.of(b(VIEW, "c", 0), b(VIEW, "c", 1), b(VIEW, "a", 2), b(VIEW, "c", 3)));
  private final BehaviorStats stats = BehaviorStats.fit(history);

  @Test
  void majorityIsTheGlobalMix() {
    double[] p = new Baseline.Majority(stats).predict(List.of());
    assertEquals(6 / 8.0, p[VIEW.ordinal()], 1e-12);
    assertEquals(1 / 8.0, p[CART.ordinal()], 1e-12);
    assertEquals(0.0, p[BehaviorType.CLICK.ordinal()], 1e-12);
  }

  @Test
  void globalMarkovIsLaplaceSmoothedOverActiveTypes() {
    // transitions from VIEW: V->V 4, V->C 1 (5 in all); 3 active types
    double[] p = new Baseline.GlobalMarkov(stats).predict(List.of(b(VIEW, "a", 0)));
    assertEquals((4 + 1) / (5 + 3.0), p[VIEW.ordinal()], 1e-12);
    assertEquals((1 + 1) / (5 + 3.0), p[CART.ordinal()], 1e-12);
    assertEquals((0 + 1) / (5 + 3.0), p[PURCHASE.ordinal()], 1e-12);
  }

  @Test
  void userMarkovBacksOffWithFourPseudoCounts() {
    // user's own: V->C once, V->V never; global row from VIEW as above
    List<RecentBehavior> before = List.of(b(VIEW, "a", 0), b(CART, "a", 1), b(VIEW, "a", 2));
    double[] g = stats.transitions()[VIEW.ordinal()];
    double[] p = new Baseline.UserMarkov(stats, 4).predict(before);
    assertEquals((0 + 4 * g[VIEW.ordinal()]) / 5, p[VIEW.ordinal()], 1e-12);
    assertEquals((1 + 4 * g[CART.ordinal()]) / 5, p[CART.ordinal()], 1e-12);
    double sum = 0;
    for (double v : p) sum += v;
    assertEquals(1.0, sum, 1e-12);
  }

  @Test
  void repeatLastUsesTheObservedRepeatRate() {
    // pairs: VV VC CP | VV VV VV -> 4 repeats of 6
    Baseline.RepeatLast r = Baseline.RepeatLast.fit(stats, history);
    assertEquals(4 / 6.0, r.repeatProbability(), 1e-12);
    double[] p = r.predict(List.of(b(CART, "a", 0)));
    assertEquals(4 / 6.0, p[CART.ordinal()], 1e-12);
    assertEquals((1 - 4 / 6.0) / 2, p[VIEW.ordinal()], 1e-12);
  }

  @Test
  void categoryBaselines() {
    // a 3, c 3, b 2: ties by id
    assertEquals(List.of("a", "c", "b"), Baseline.GlobalPopular.topCategories(history, 10));
    List<RecentBehavior> before = List.of(b(VIEW, "x", 0), b(VIEW, "y", 1), b(VIEW, "x", 2), b(VIEW, "z", 3));
    assertEquals(List.of("x", "z", "y"), new Baseline.UserMostFrequent().top(before, 10));
    assertEquals(List.of("z", "x", "y"), new Baseline.UserRecent().top(before, 10));
  }

  @Test
  void evaluatorPredictsEachHeldOutEventFromEverythingBefore() {
    Map<String, List<RecentBehavior>> users = new LinkedHashMap<>();
    users.put("u1", List.of(b(VIEW, "a", 0), b(VIEW, "a", 1), b(VIEW, "a", 2), b(VIEW, "a", 3), b(CART, "a", 4)));
    users.put("u2", List.of(b(VIEW, "b", 0), b(CART, "b", 1), b(VIEW, "b", 2), b(CART, "b", 3), b(VIEW, "b", 4)));
    BehaviorDataset data = BehaviorDataset.of(users);
    List<Evaluator.Target> targets = Evaluator.heldOutTargets(data, ChronologicalSplit.DEFAULT);
    assertEquals(2, targets.size(), "floor(0.8 * 5) = 4 history events each, 1 held out each");
    assertEquals(4, targets.get(0).before().size());
    EvaluationReport r = Evaluator.evaluate(data, ChronologicalSplit.DEFAULT, null);
    // majority of history (8 events: 6 views, 2 carts): always VIEW -> right once of twice
    assertEquals(0.5, r.metrics("majority").accuracy(), 1e-12);
    assertEquals(-(Math.log(6 / 8.0) + Math.log(2 / 8.0)) / 2, r.metrics("majority").logLoss(), 1e-12);
    // user's own most frequent category is exactly the next one for both users
    assertEquals(1.0, r.metrics("userMostFrequent").categoryHitRateAt10(), 1e-12);
    assertEquals(1.0, r.metrics("userMostFrequent").categoryRecallAt10(), 1e-12);
    // recommender rows without a model: interest alone finds the single category; model alone has nothing
    assertEquals(1.0, r.metrics("recInterest").categoryHitRateAt10(), 1e-12);
    assertEquals(1.0, r.metrics("recBlend").categoryHitRateAt10(), 1e-12);
    assertEquals(0.0, r.metrics("recModel").categoryHitRateAt10(), 1e-12);
    assertEquals(r.metrics("globalPopular"), r.metrics("recPopular"));
    assertEquals(null, r.metrics("recBlend").accuracy(), "a category row only");
  }
}
