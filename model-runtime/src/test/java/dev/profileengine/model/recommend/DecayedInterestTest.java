package dev.profileengine.model.recommend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.profileengine.model.TestData;
import dev.profileengine.profile.BehaviorType;
import dev.profileengine.profile.RecentBehavior;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The engine's DecayedScores with its default settings: weights per type, 7-day half-life, top 10 with displacement. */
class DecayedInterestTest {
  private static final long DAY = 24 * 3600;

  @Test
  void weightsByTypeDecayByHalfLifeAsOfTheNewestEvent() {
    DecayedInterest d = DecayedInterest.of(List.of(
        TestData.b(BehaviorType.PURCHASE, "old", 0),
        TestData.b(BehaviorType.VIEW, "new", 7 * DAY),
        TestData.b(BehaviorType.CART, "new", 7 * DAY)));
    assertEquals(7 * DAY * 1000, d.anchorMillis());
    assertArrayEquals(new String[] {"old", "new"}, d.keys());
    assertArrayEquals(new double[] {3.0, 5.0}, d.scores(), 1e-12); // 6 halved once; 1 + 4
    assertEquals(Map.of("old", 3 / 8.0, "new", 5 / 8.0), d.shares());
  }

  @Test
  void aLateEventAddsItsWeightAlreadyDecayed() {
    DecayedInterest d = DecayedInterest.of(List.of(TestData.b(BehaviorType.VIEW, "a", 14 * DAY),
        TestData.b(BehaviorType.FAVORITE, "b", 0)));
    assertArrayEquals(new double[] {1.0, 0.75}, d.scores(), 1e-12);
  }

  @Test
  void keepsTenAndANewKeyDisplacesTheWeakestOnlyIfStronger() {
    List<RecentBehavior> events = new ArrayList<>();
    for (int i = 0; i < 10; i++) events.add(TestData.b(BehaviorType.FAVORITE, "c" + i, 100));
    events.add(TestData.b(BehaviorType.VIEW, "weak", 100)); // 1 < 3: ignored
    events.add(TestData.b(BehaviorType.PURCHASE, "strong", 100)); // 6 > 3: replaces c0 (first weakest)
    DecayedInterest d = DecayedInterest.of(events);
    assertEquals(10, d.keys().length);
    assertEquals("strong", d.keys()[0]);
    assertEquals(6.0, d.scores()[0], 1e-12);
    assertEquals(false, d.shares().containsKey("weak"));
    assertEquals(0.5, DecayedInterest.weight(BehaviorType.SEARCH));
    assertEquals(0, DecayedInterest.of(List.of(TestData.b(BehaviorType.VIEW, null, 1))).keys().length, "no category, no interest");
  }
}
