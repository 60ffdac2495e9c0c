package dev.profileengine.profile;

import static dev.profileengine.profile.Events.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProfileStateTest {
  private static final ProfileSettings S = ProfileSettings.defaults();

  @Test
  void aRepeatedEventIdIsADuplicateAndChangesNothing() {
    ProfileState once = Events.fold(S, Events.view("e1", T0, "c"));
    Events.Step again = Events.offer(once, Events.view("e1", T0, "c"), S);
    assertInstanceOf(Admission.Duplicate.class, again.admission());
    assertSame(once, again.state());
    assertEquals(1, once.eventCount());
  }

  @Test
  void theSharedEmptyStateTakesItsUserAndFoldsLikeAnyEmptyState() {
    assertFalse(ProfileState.NO_USER.exists());
    ProfileState mine = ProfileState.NO_USER.forUser("u1");
    assertEquals("u1", mine.userId());
    assertSame(mine, mine.forUser("someone else"), "a state with a user keeps it");
    BehaviorEvent e = Events.view("e1", T0, "c");
    assertEquals(ProfileState.empty("u1").apply(e, S).view(null, S), mine.apply(e, S).view(null, S));
  }

  @Test
  void duplicatesInsideOneBatchAreCaught() {
    BatchAdmission batch = new BatchAdmission(ProfileState.empty("u1"), S);
    assertInstanceOf(Admission.Accept.class, batch.admit(Events.view("x", T0, "c")));
    assertInstanceOf(Admission.Duplicate.class, batch.admit(Events.view("x", T0, "c")));
  }

  @Test
  void aLateEventWithinTheLatenessIsAppliedInPlace() {
    ProfileState s = Events.fold(S,
        Events.view("a", T0, "c1"),
        Events.view("b", T0.plus(Duration.ofMinutes(50)), "c2"));
    Events.Step late = Events.offer(s, Events.event("late", BehaviorType.CART, T0.plus(Duration.ofMinutes(10))).withCategory("i", "c3"), S);
    assertInstanceOf(Admission.Accept.class, late.admission());
    ProfileView v = late.state().view(null, S);
    assertEquals(T0.plus(Duration.ofMinutes(50)), v.lastEventTime(), "the latest event time is unchanged");
    assertEquals(List.of("view", "cart", "view"), v.recent().stream().map(ProfileView.Recent::type).toList(),
        "recent behaviors stay in event-time order");
    assertEquals(1, v.counts().get("1h").get("cart"));
  }

  @Test
  void anEventOlderThanTheLatenessIsRejectedTooLate() {
    ProfileState s = Events.fold(S, Events.view("a", T0, "c"));
    Events.Step tooLate = Events.offer(s, Events.view("old", T0.minus(Duration.ofMinutes(61)), "c"), S);
    Admission.Reject r = assertInstanceOf(Admission.Reject.class, tooLate.admission());
    assertEquals(Admission.TOO_LATE, r.reason());
    assertEquals("timestamp", r.field());
    assertSame(s, tooLate.state());
    // exactly at the lateness edge is still accepted
    assertInstanceOf(Admission.Accept.class, s.admit(Events.view("edge", T0.minus(Duration.ofHours(1)), "c"), S));
  }

  @Test
  void latenessIsConfigurable() {
    ProfileSettings strict = S.withAllowedLateness(Duration.ZERO);
    ProfileState s = Events.fold(strict, Events.view("a", T0, "c"));
    assertInstanceOf(Admission.Reject.class, s.admit(Events.view("b", T0.minusMillis(1), "c"), strict));
  }

  @Test
  void sessionsSplitOnThirtyMinutesOfInactivity() {
    ProfileState s = Events.fold(S,
        Events.view("a", T0, "c"),
        Events.view("b", T0.plus(Duration.ofMinutes(10)), "c"),
        Events.view("c", T0.plus(Duration.ofMinutes(41)), "c"), // gap 31 min: new session
        Events.view("d", T0.plus(Duration.ofMinutes(45)), "c"),
        Events.view("e", T0.plus(Duration.ofMinutes(46)), "c"));
    Sessions.SessionView v = s.view(null, S).sessions();
    assertEquals(2, v.count());
    assertEquals(2.5, v.meanDepth(), 1e-9);
    assertEquals((600 + 300) / 2.0, v.meanLengthSeconds(), 1e-9);
    assertEquals(3, v.lastSessionEvents());
  }

  @Test
  void aLateEventCanBridgeTwoSessions() {
    ProfileState s = Events.fold(S,
        Events.view("a", T0, "c"),
        Events.view("b", T0.plus(Duration.ofMinutes(50)), "c"));
    assertEquals(2, s.view(null, S).sessions().count());
    ProfileState bridged = Events.offer(s, Events.view("late", T0.plus(Duration.ofMinutes(25)), "c"), S).state();
    assertEquals(1, bridged.view(null, S).sessions().count());
  }

  @Test
  void contextKeepsTheLastValuesAndTheirDistribution() {
    EventContext phone = new EventContext("phone", "android", "app", "CN", "Hangzhou", "wifi");
    EventContext desktop = new EventContext("desktop", "linux", "web", "CN", "Beijing", null);
    ProfileState s = Events.fold(S,
        Events.view("a", T0, "c").withBrowsing(null, null, null, phone),
        Events.view("b", T0.plusSeconds(5), "c").withBrowsing(null, null, null, phone),
        Events.view("c", T0.plusSeconds(9), "c").withBrowsing(null, null, null, desktop));
    ContextStats.ContextView v = s.view(null, S).context();
    assertEquals("desktop", v.last().device());
    assertEquals("wifi", v.last().network(), "an unknown field keeps the last known value");
    assertEquals(Map.of("phone", 2L, "desktop", 1L), v.distribution().get("device"));
  }

  @Test
  void attributesAreSetAndRemoved() {
    ProfileState s = ProfileState.empty("u1");
    assertFalse(s.exists());
    s = s.withAttributes(Map.of("name", "Ada", "tier", "gold"));
    assertTrue(s.exists());
    java.util.Map<String, Object> removeTier = new java.util.HashMap<>();
    removeTier.put("tier", null);
    s = s.withAttributes(removeTier);
    assertEquals(Map.of("name", "Ada"), s.view(null, S).attributes());
  }

  @Test
  void firstSeenLastEventAndCount() {
    ProfileState s = Events.fold(S,
        Events.view("b", T0.plusSeconds(30), "c"),
        Events.view("a", T0, "c"));
    ProfileView v = s.view(null, S);
    assertEquals(T0, v.firstSeen());
    assertEquals(T0.plusSeconds(30), v.lastEventTime());
    assertEquals(2, v.eventCount());
  }

  @Test
  void memoryStaysBoundedForAHundredThousandEventUser() {
    ProfileSettings settings = S.withMaxRememberedIds(4096);
    ProfileState s = ProfileState.empty("heavy");
    Instant t = T0;
    BehaviorType[] types = BehaviorType.values();
    for (int i = 0; i < 100_000; i++) {
      t = t.plusSeconds(7);
      BehaviorEvent e = BehaviorEvent.of("e" + i, "heavy", types[i % types.length], t)
          .withCategory("item" + i, "cat" + (i % 997))
          .withPurchase("brand" + (i % 131), 1.0 + i % 50, 1)
          .withBrowsing(null, 1000L, 3, new EventContext("d" + (i % 40), null, null, null, "city" + (i % 300), null));
      s = s.apply(e, settings);
    }
    assertEquals(100_000, s.eventCount());
    assertTrue(s.counts().minutes().size() <= 60);
    assertTrue(s.counts().hours().size() <= 24);
    assertTrue(s.counts().days().size() <= 30);
    assertTrue(s.categories().keys().length <= settings.interestTopK());
    assertTrue(s.brands().keys().length <= settings.interestTopK());
    assertEquals(settings.recentBehaviors(), s.recent().items().size());
    assertTrue(s.seen().size() <= 3600 / 7 + 1, "ids kept only for the lateness horizon: " + s.seen().size());
    assertTrue(s.sessions().open().size() <= 2);
    assertTrue(s.context().view().distribution().values().stream().allMatch(d -> d.size() <= settings.contextTopK() + 1));
  }

  @Test
  void theIdCapNeverLetsAnEventCountTwice() {
    ProfileSettings tiny = S.withMaxRememberedIds(3);
    ProfileState s = ProfileState.empty("u1");
    for (int i = 0; i < 10; i++) s = Events.offer(s, Events.view("e" + i, T0.plusSeconds(i), "c"), tiny).state();
    assertEquals(10, s.eventCount());
    // e0 was forgotten: re-sending it must not count it again
    Events.Step resend = Events.offer(s, Events.view("e0", T0, "c"), tiny);
    assertSame(s, resend.state());
    assertInstanceOf(Admission.Reject.class, resend.admission());
    assertInstanceOf(Admission.Duplicate.class, Events.offer(s, Events.view("e9", T0.plusSeconds(9), "c"), tiny).admission());
  }
}
