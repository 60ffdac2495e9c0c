package dev.profileengine.profile;

import static dev.profileengine.profile.Events.T0;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DecayedScoresTest {
  private static final long HALF_LIFE = Duration.ofDays(7).toMillis();
  private static final long T = T0.toEpochMilli();

  @Test
  void weightHalvesEveryHalfLife() {
    DecayedScores s = DecayedScores.empty().add("c", 4.0, T, HALF_LIFE, 10);
    assertEquals(4.0, s.weight("c", T, HALF_LIFE), 1e-12);
    assertEquals(2.0, s.weight("c", T + HALF_LIFE, HALF_LIFE), 1e-12);
    assertEquals(1.0, s.weight("c", T + 2 * HALF_LIFE, HALF_LIFE), 1e-12);
  }

  @Test
  void oneKeyInterestsShareTheirArraysWithoutChangingAnyScore() {
    DecayedScores a = DecayedScores.empty().add(new String("c7"), 3.0, T, HALF_LIFE, 10);
    DecayedScores b = DecayedScores.empty().add(new String("c7"), 3.0, T + HALF_LIFE, HALF_LIFE, 10); // another profile
    assertSame(a.keys(), b.keys());
    assertSame(a.scores(), b.scores());
    // Folding on in one profile leaves the other's as it was.
    DecayedScores a2 = a.add("c7", 1.0, T + HALF_LIFE, HALF_LIFE, 10).add("c8", 2.0, T + HALF_LIFE, HALF_LIFE, 10);
    assertArrayEquals(new String[] {"c7", "c8"}, a2.keys());
    assertArrayEquals(new double[] {2.5, 2.0}, a2.scores(), 1e-12);
    assertArrayEquals(new String[] {"c7"}, b.keys());
    assertArrayEquals(new double[] {3.0}, b.scores());
    assertEquals(1.5, b.weight("c7", T + 2 * HALF_LIFE, HALF_LIFE), 1e-12);
    assertEquals(3.0, a.weight("c7", T, HALF_LIFE), 1e-12);
  }

  @Test
  void lateEventFoldsInAlreadyDecayed() {
    DecayedScores inOrder = DecayedScores.empty()
        .add("a", 1.0, T, HALF_LIFE, 10)
        .add("b", 1.0, T + HALF_LIFE, HALF_LIFE, 10);
    DecayedScores outOfOrder = DecayedScores.empty()
        .add("b", 1.0, T + HALF_LIFE, HALF_LIFE, 10)
        .add("a", 1.0, T, HALF_LIFE, 10);
    for (String k : List.of("a", "b")) {
      assertEquals(inOrder.weight(k, T + HALF_LIFE, HALF_LIFE), outOfOrder.weight(k, T + HALF_LIFE, HALF_LIFE), 1e-12);
    }
    assertEquals(0.5, outOfOrder.weight("a", T + HALF_LIFE, HALF_LIFE), 1e-12);
  }

  @Test
  void keepsTopKAndANewKeyDisplacesOnlyAWeakerOne() {
    DecayedScores s = DecayedScores.empty();
    s = s.add("a", 5, T, HALF_LIFE, 2).add("b", 3, T, HALF_LIFE, 2);
    assertEquals(0, s.add("c", 1, T, HALF_LIFE, 2).weight("c", T, HALF_LIFE));
    DecayedScores displaced = s.add("c", 4, T, HALF_LIFE, 2);
    assertEquals(4, displaced.weight("c", T, HALF_LIFE), 1e-12);
    assertEquals(0, displaced.weight("b", T, HALF_LIFE));
    assertEquals(2, displaced.keys().length);
  }

  @Test
  void rankedIsBestFirstWithSharesSummingToOne() {
    DecayedScores s = DecayedScores.empty()
        .add("a", 1, T, HALF_LIFE, 10).add("b", 3, T, HALF_LIFE, 10).add("c", 2, T, HALF_LIFE, 10);
    List<DecayedScores.Interest> r = s.ranked(T + HALF_LIFE, HALF_LIFE);
    assertEquals(List.of("b", "c", "a"), r.stream().map(DecayedScores.Interest::id).toList());
    assertEquals(1.0, r.stream().mapToDouble(DecayedScores.Interest::score).sum(), 1e-12);
    assertEquals(1.5, r.get(0).weight(), 1e-12);
  }

  @Test
  void profileWeightsBehaviorsByType() {
    ProfileSettings settings = ProfileSettings.defaults();
    ProfileState p = Events.fold(settings,
        Events.view("v1", T0, "viewed"),
        Events.view("v2", T0.plusSeconds(1), "viewed"),
        Events.purchase("p1", T0.plusSeconds(2), 10, 1).withCategory("i", "bought"));
    List<DecayedScores.Interest> cats = p.view(null, settings).interests().categories();
    assertEquals("bought", cats.get(0).id(), "a purchase (weight 6) outweighs two views (weight 1 each)");
    assertTrue(cats.get(0).score() > 0.7);
  }
}
