package dev.profileengine.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import com.typesafe.config.Config;
import dev.profileengine.profile.BehaviorEvent;
import dev.profileengine.profile.BehaviorType;
import dev.profileengine.profile.InstantRange;
import dev.profileengine.profile.ProfileState;
import dev.profileengine.profile.ProfileView;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Instants at the edges of {@link Instant} reaching the profile math and the entity: no overflow,
 * no exception inside the entity (which would stop it and drop its queued commands).
 */
class ExtremeInstantsTest {
  private static final Instant T0 = Instant.parse("2017-11-26T10:00:00Z");
  private static final Config CONFIG = UserProfileTest.CONFIG;
  private static final ActorTestKit TESTKIT = ActorTestKit.create(CONFIG);
  private static final EngineSettings SETTINGS = TestSettings.defaults();
  private static final Clock CLOCK = Clock.fixed(T0.plus(Duration.ofDays(1)), ZoneOffset.UTC);

  static final List<Instant> EXTREMES = List.of(Instant.MIN, Instant.MAX, Instant.parse("+1000000000-01-01T00:00:00Z"),
      Instant.parse("-999999999-01-01T00:00:00Z"), Instant.EPOCH, Instant.parse("9999-12-31T23:59:59Z"),
      Instant.ofEpochMilli(Long.MAX_VALUE), Instant.ofEpochMilli(Long.MIN_VALUE), Instant.ofEpochSecond(-1));

  @AfterAll
  static void stop() {
    TESTKIT.shutdownTestKit();
  }

  private static BehaviorEvent purchase(String id, int second) {
    return BehaviorEvent.of(id, "u1", BehaviorType.PURCHASE, T0.plusSeconds(second)).withCategory("i" + id, "c1").withPurchase("b1", 10.0, 1);
  }

  @Test
  void theProfileMathClampsInsteadOfOverflowing() {
    ProfileState s = ProfileState.empty("u1")
        .apply(purchase("a", 1), SETTINGS.profile())
        .apply(purchase("b", 2), SETTINGS.profile());
    for (Instant at : EXTREMES) {
      ProfileView v = s.view(at, SETTINGS.profile());
      assertEquals(InstantRange.clamp(at), v.asOf(), "reading as of " + at);
      s.memberships(SETTINGS.segments(), SETTINGS.profile(), at);
      assertTrue(!SETTINGS.segments().segments().isEmpty(), "the configured segments are evaluated");
      assertTrue(InstantRange.millis(at) >= InstantRange.EARLIEST_MILLIS && InstantRange.millis(at) <= InstantRange.LATEST_MILLIS);
    }
  }

  @Test
  void theEntitySurvivesExtremeInstantsAndKeepsItsEvents() {
    var kit = EventSourcedBehaviorTestKit.<UserProfile.Command, UserProfile.Event, ProfileState>create(
        TESTKIT.system(), UserProfile.create("u1", SETTINGS, CLOCK));
    kit.<UserProfile.Recorded>runCommand(r -> new UserProfile.RecordEvents(List.of(purchase("a", 1)), r));
    for (Instant at : EXTREMES) {
      ProfileView v = kit.<UserProfile.ProfileReply>runCommand(r -> new UserProfile.GetProfile(at, r)).reply().profile().orElseThrow();
      assertEquals(1, v.eventCount(), "as of " + at);
      kit.<Boolean>runCommand(r -> new UserProfile.ReevaluateSegments(at, r));
    }
    // still alive, still the same state: a later event joins the first
    var later = kit.<UserProfile.Recorded>runCommand(r -> new UserProfile.RecordEvents(List.of(purchase("b", 2)), r));
    assertEquals("accepted", later.reply().results().get(0).status());
    assertEquals(2, later.state().eventCount());
    assertEquals(2, kit.restart().state().eventCount());
  }
}
