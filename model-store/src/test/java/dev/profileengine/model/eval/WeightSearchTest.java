package dev.profileengine.model.eval;

import static dev.profileengine.model.TestData.b;
import static dev.profileengine.profile.BehaviorType.VIEW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.profileengine.model.dataset.BehaviorDataset;
import dev.profileengine.model.dataset.ChronologicalSplit;
import dev.profileengine.model.recommend.RecommendWeights;
import dev.profileengine.profile.RecentBehavior;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WeightSearchTest {
  @Test
  void gridCoversTheSimplex() {
    assertEquals(66, WeightSearch.grid(0.1).size());
    assertEquals(231, WeightSearch.grid(0.05).size());
    assertEquals(List.of(new RecommendWeights(0, 0, 1), new RecommendWeights(0, 1, 0), new RecommendWeights(1, 0, 0)),
        WeightSearch.grid(1.0));
    for (RecommendWeights w : WeightSearch.grid(0.1)) assertEquals(1.0, w.model() + w.interest() + w.popular(), 1e-9);
    assertThrows(IllegalArgumentException.class, () -> WeightSearch.grid(0.3));
  }

  @Test
  void validationTargetsAreTheLastPartOfTheHistoryOnly() {
    List<RecentBehavior> seq = new ArrayList<>();
    for (int i = 0; i < 20; i++) seq.add(b(VIEW, "c" + i, i));
    Map<String, List<RecentBehavior>> users = new LinkedHashMap<>();
    users.put("u", seq);
    List<Evaluator.Target> v = Evaluator.validationTargets(BehaviorDataset.of(users), ChronologicalSplit.DEFAULT);
    // history 16 events, validation = ceil(0.15 * 16) = 3 targets: indices 13, 14, 15
    assertEquals(List.of("c13", "c14", "c15"), v.stream().map(t -> t.actual().categoryId()).toList());
    assertEquals(13, v.get(0).before().size());
    assertEquals(List.of(true, false, false), v.stream().map(Evaluator.Target::firstOfUser).toList());
  }
}
