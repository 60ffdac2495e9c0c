package dev.profileengine.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import com.typesafe.config.Config;
import dev.profileengine.profile.BehaviorEvent;
import dev.profileengine.profile.BehaviorType;
import dev.profileengine.profile.EventResult;
import dev.profileengine.profile.ProfileState;
import dev.profileengine.profile.ProfileView;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The entity with the persistence test kit: real CBOR serialization of commands, events and snapshots. */
class UserProfileTest {
  private static final Instant T0 = Instant.parse("2017-11-26T10:00:00Z");
  static final Config CONFIG = dev.profileengine.engine.EntityTestKitConfig.CONFIG;
  private static final ActorTestKit TESTKIT = ActorTestKit.create(CONFIG);
  /** Snapshots every 5 events, so short tests cross snapshot boundaries; no segments. */
  private static final EngineSettings SETTINGS =
      TestSettings.defaults().withSnapshots(5, 2).withSegments(dev.profileengine.profile.segment.SegmentDefinitions.none());
  private static final Clock CLOCK = Clock.fixed(T0.plus(Duration.ofDays(1)), ZoneOffset.UTC);

  private EventSourcedBehaviorTestKit<UserProfile.Command, UserProfile.Event, ProfileState> kit;

  @AfterAll
  static void stop() {
    TESTKIT.shutdownTestKit();
  }

  @BeforeEach
  void fresh() {
    kit = EventSourcedBehaviorTestKit.create(TESTKIT.system(), UserProfile.create("u1", SETTINGS, CLOCK));
    kit.clear();
  }

  private static BehaviorEvent view(String id, int second) {
    return BehaviorEvent.of(id, "u1", BehaviorType.VIEW, T0.plusSeconds(second)).withCategory("i" + id, "c" + (second % 3));
  }

  private List<EventResult> record(BehaviorEvent... events) {
    var result = kit.<UserProfile.Recorded>runCommand(r -> new UserProfile.RecordEvents(List.of(events), r));
    return result.reply().results();
  }

  private List<String> statuses(List<EventResult> results) {
    return results.stream().map(EventResult::status).toList();
  }

  private ProfileView profile() {
    return kit.<UserProfile.ProfileReply>runCommand(r -> new UserProfile.GetProfile(null, r)).reply().profile().orElseThrow();
  }

  @Test
  void acceptedEventsOfOneCommandArePersistedTogether() {
    var result = kit.<UserProfile.Recorded>runCommand(r -> new UserProfile.RecordEvents(List.of(view("a", 1), view("b", 2), view("c", 3)), r));
    assertEquals(List.of("accepted", "accepted", "accepted"), statuses(result.reply().results()));
    assertEquals(3, result.events().size());
    assertEquals(3, result.state().eventCount());
  }

  @Test
  void aBadEventIsRejectedByFieldAndItsNeighboursStillLand() {
    BehaviorEvent negative = BehaviorEvent.of("bad", "u1", BehaviorType.PURCHASE, T0).withPurchase(null, -5.0, 1);
    BehaviorEvent future = BehaviorEvent.of("future", "u1", BehaviorType.VIEW, CLOCK.instant().plus(Duration.ofMinutes(6)));
    BehaviorEvent otherUser = BehaviorEvent.of("other", "u2", BehaviorType.VIEW, T0);
    var result = kit.<UserProfile.Recorded>runCommand(r -> new UserProfile.RecordEvents(List.of(view("ok1", 1), negative, future, otherUser, view("ok2", 2)), r));
    List<EventResult> results = result.reply().results();
    assertEquals(List.of("accepted", "rejected", "rejected", "rejected", "accepted"), statuses(results));
    assertEquals("price", results.get(1).field());
    assertEquals("timestamp", results.get(2).field());
    assertEquals("userId", results.get(3).field());
    assertEquals(2, result.events().size());
  }

  @Test
  void duplicatesAndTooLateEventsPersistNothing() {
    record(view("a", 7200));
    var again = kit.<UserProfile.Recorded>runCommand(r -> new UserProfile.RecordEvents(List.of(view("a", 7200), view("old", 0)), r));
    assertEquals(List.of("duplicate", "rejected"), statuses(again.reply().results()));
    assertEquals("too_late", again.reply().results().get(1).reason());
    assertTrue(again.hasNoEvents());
    assertEquals(1, again.state().eventCount());
  }

  @Test
  void anUnknownUserHasNoProfileUntilItsFirstEvent() {
    assertFalse(kit.<UserProfile.ProfileReply>runCommand(r -> new UserProfile.GetProfile(null, r)).reply().profile().isPresent());
    record(view("a", 1));
    assertEquals(1, profile().eventCount());
  }

  /**
   * Reads that skip the entity ({@link HostedProfiles}) see each write by the time its writer is
   * answered, nothing once the entity stops, and the recovered state once it is back.
   */
  @Test
  void theHostedStateFollowsEveryConfirmedWriteUntilTheEntityStops() {
    HostedProfiles hosted = HostedProfiles.get(TESTKIT.system());
    var probe = TESTKIT.<UserProfile.Recorded>createTestProbe();
    var reads = TESTKIT.<UserProfile.ProfileReply>createTestProbe();
    var entity = TESTKIT.spawn(UserProfile.create("hosted-1", SETTINGS, CLOCK));
    entity.tell(new UserProfile.GetProfile(null, reads.ref()));
    assertFalse(reads.receiveMessage().profile().isPresent());
    assertEquals(null, hosted.get("hosted-1"), "a profile without events is not published");
    for (int i = 1; i <= 3; i++) {
      entity.tell(new UserProfile.RecordEvents(List.of(BehaviorEvent.of("h" + i, "hosted-1", BehaviorType.VIEW, T0.plusSeconds(i))), probe.ref()));
      probe.receiveMessage();
      assertEquals(i, hosted.get("hosted-1").eventCount(), "write " + i + " readable by the time its writer is answered");
    }
    entity.tell(new UserProfile.GetProfile(null, reads.ref()));
    assertEquals(reads.receiveMessage().profile().orElseThrow(), hosted.view("hosted-1", null, SETTINGS.profile()), "the same view as the entity's");
    TESTKIT.stop(entity);
    assertEquals(null, hosted.get("hosted-1"), "withdrawn when the entity stops");
    var again = TESTKIT.spawn(UserProfile.create("hosted-1", SETTINGS, CLOCK));
    again.tell(new UserProfile.GetProfile(null, reads.ref()));
    assertEquals(3, reads.receiveMessage().profile().orElseThrow().eventCount());
    assertEquals(3, hosted.get("hosted-1").eventCount(), "published again after recovery");
    TESTKIT.stop(again);
  }

  @Test
  void attributesArePersistedAndSurviveRecovery() {
    var set = kit.<UserProfile.ProfileReply>runCommand(r -> new UserProfile.SetAttributes(Map.of("tier", "gold", "age", 31), r));
    assertEquals(Map.of("tier", "gold", "age", 31), set.reply().profile().orElseThrow().attributes());
    kit.restart();
    assertEquals("gold", profile().attributes().get("tier"));
  }

  @Test
  void recoveryFromSnapshotRebuildsTheSameProfile() {
    List<BehaviorEvent> events = new ArrayList<>();
    for (int i = 0; i < 12; i++) events.add(view("e" + i, i * 60));
    for (int i = 0; i < 12; i += 4) record(events.subList(i, i + 4).toArray(BehaviorEvent[]::new));
    ProfileView before = profile();
    assertEquals(12, before.eventCount());
    assertFalse(kit.snapshotTestKit().orElseThrow().persistedInStorage("UserProfile|u1").isEmpty(), "a snapshot was taken");

    kit.restart();
    assertEquals(before, profile(), "events replayed on top of the snapshot");

    // Drop the journaled events but keep sequence numbers: what remains comes from the snapshot alone.
    kit.persistenceTestKit().clearByIdPreservingSeqNumbers("UserProfile|u1");
    kit.restart();
    long fromSnapshot = profile().eventCount();
    assertTrue(fromSnapshot >= 5 && fromSnapshot <= 12, "snapshot state holds " + fromSnapshot + " events");
    // ...and the dedup memory travelled with the snapshot
    assertEquals(List.of("duplicate"), statuses(record(view("e0", 0))));
  }

  /** A string of {@code n} random lower-case letters: every value as long as validation allows. */
  private static String random(java.util.Random r, int n) {
    char[] c = new char[n];
    for (int i = 0; i < n; i++) c[i] = (char) ('a' + r.nextInt(26));
    return new String(c);
  }

  /** The stated bound on one profile's snapshot, whatever clients send (see README "Bounds per profile"). */
  static final int SNAPSHOT_BOUND_BYTES = 128 * 1024;

  @Test
  void theSnapshotStaysBoundedUnderAnySequenceOfRequests() {
    java.util.Random r = new java.util.Random(20);
    int max = dev.profileengine.profile.EventValidation.MAX_CONTEXT_LENGTH;
    int refused = 0;
    for (int batch = 0; batch < 50; batch++) {
      List<BehaviorEvent> events = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        int n = batch * 100 + i;
        // All inside the lateness horizon, every id, item, category, brand and context value new and as long as allowed.
        events.add(BehaviorEvent.of(random(r, 120) + n, "u1", BehaviorType.values()[n % BehaviorType.values().length], T0.plusMillis(n * 10L))
            .withCategory(random(r, 128), random(r, 128))
            .withPurchase(random(r, 128), 10.0 + n, 1)
            .withBrowsing(random(r, 512), 1000L, 3, new dev.profileengine.profile.EventContext(
                random(r, max), random(r, max), random(r, max), random(r, max), random(r, max), random(r, max))));
      }
      assertTrue(record(events.toArray(BehaviorEvent[]::new)).stream().allMatch(e -> e.status().equals("accepted")));
      for (int w = 0; w < 20; w++) {
        Map<String, Object> attrs = new java.util.HashMap<>();
        for (int k = 0; k < 1 + r.nextInt(5); k++) attrs.put(random(r, 1 + r.nextInt(64)), random(r, r.nextInt(1025)));
        var reply = kit.<UserProfile.ProfileReply>runCommand(x -> new UserProfile.SetAttributes(attrs, x)).reply();
        if (reply.refused() != null) refused++;
      }
    }
    ProfileState state = kit.getState();
    assertEquals(5000, state.eventCount());
    assertTrue(refused > 0, "the attribute caps were reached");
    assertTrue(dev.profileengine.profile.AttributeLimits.bytes(state.attributes()) <= SETTINGS.attributeLimits().maxBytes());
    assertTrue(state.attributes().size() <= SETTINGS.attributeLimits().maxCount());
    byte[] snapshot = akka.serialization.SerializationExtension.get(TESTKIT.system().classicSystem()).serialize(state).get();
    assertTrue(snapshot.length < SNAPSHOT_BOUND_BYTES, "snapshot of " + snapshot.length + " bytes");
  }

  @Test
  void anAttributeWriteOverACapIsRefusedAndJournalsNothing() {
    Map<String, Object> hundred = new java.util.HashMap<>();
    for (int i = 0; i < 100; i++) hundred.put("k" + i, (long) i);
    kit.<UserProfile.ProfileReply>runCommand(x -> new UserProfile.SetAttributes(hundred, x));
    var over = kit.<UserProfile.ProfileReply>runCommand(x -> new UserProfile.SetAttributes(Map.of("k100", 1L), x));
    assertEquals("attributes", over.reply().refused().field());
    assertTrue(over.hasNoEvents(), "nothing journaled");
    assertEquals(100, over.state().attributes().size());
  }

  @Test
  void withoutAnalyticsConsentEventsAreAcknowledgedNotProfiled() {
    record(view("a", 1), view("b", 2));
    var withdraw = kit.<UserProfile.ProfileReply>runCommand(x -> new UserProfile.SetConsent(
        Map.of(dev.profileengine.profile.Consent.Purpose.ANALYTICS, false), x));
    assertEquals(0, withdraw.reply().profile().orElseThrow().eventCount(), "the behavior data is dropped");
    var acked = kit.<UserProfile.Recorded>runCommand(x -> new UserProfile.RecordEvents(List.of(view("c", 3), view("c", 3)), x));
    assertEquals(List.of("accepted", "duplicate"), statuses(acked.reply().results()));
    assertEquals(EventResult.NOT_PROFILED, acked.reply().results().get(0).detail());
    assertEquals(List.of(new UserProfile.EventAcknowledged("c", T0.plusSeconds(3))), acked.events(), "only the id and time are journaled");
    kit.restart();
    assertEquals(0, profile().eventCount(), "nothing profiled after recovery either");
    assertEquals(List.of("duplicate"), statuses(record(view("c", 3))), "still exactly-once");
    kit.<UserProfile.ProfileReply>runCommand(x -> new UserProfile.SetConsent(Map.of(dev.profileengine.profile.Consent.Purpose.ANALYTICS, true), x));
    record(view("d", 4));
    assertEquals(1, profile().eventCount(), "only later events are profiled");
  }
}
