package dev.profileengine.engine.serialization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.profileengine.engine.EngineSettings;
import dev.profileengine.engine.FieldByField;
import dev.profileengine.engine.HostedProfiles;
import dev.profileengine.engine.TestSettings;
import dev.profileengine.engine.UserProfile;
import dev.profileengine.engine.journal.H2JournalSchema;
import dev.profileengine.engine.node.JournalConfig;
import dev.profileengine.engine.serialization.GoldenFixturesTest.Fixture;
import dev.profileengine.profile.IdentityLinks;
import dev.profileengine.profile.ProfileState;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real entities recover from the golden fixtures as journal rows of a fresh H2 journal (the engine's
 * schema and plugin): rows of the format before stable manifests, of the current one, and the
 * upgrade mix of an old snapshot followed by new events (a snapshot of before unmerge blocks followed
 * by an unmerge's block included). The recovered state is checked field by field.
 */
class GoldenRecoveryTest {
  private static final List<String> EVENTS = List.of("profile.EventRecorded", "profile.AttributesSet", "profile.PredictionUpdated",
      "profile.ConsentSet", "profile.SegmentsChanged");

  @TempDir
  Path dir;

  @Test
  void profilesRecoverFromLegacyAndCurrentRows() throws Exception {
    Config config = JournalConfig.resolve(ConfigFactory.parseResources("engine-persistence.conf")
        .withFallback(ConfigFactory.parseResources("engine-profile.conf"))
        .withFallback(GoldenFixtureWriter.config())
        .withValue("profile.data-dir", ConfigValueFactory.fromAnyRef(dir.toString()))
        .resolve());
    String url = config.getString("akka-persistence-jdbc.shared-databases.slick.db.url");
    try (Connection c = DriverManager.getConnection(url, "sa", "")) {
      H2JournalSchema.apply(c);
      for (int i = 0; i < EVENTS.size(); i++) {
        event(c, "legacy-events", i + 1, GoldenFixturesTest.legacy(EVENTS.get(i)));
        event(c, "current-events", i + 1, GoldenFixturesTest.current(EVENTS.get(i)));
        event(c, "legacy-snapshot", i + 1, GoldenFixturesTest.legacy(EVENTS.get(i)));
        event(c, "current-snapshot", i + 1, GoldenFixturesTest.current(EVENTS.get(i)));
        event(c, "v4-snapshot", i + 1, GoldenFixturesTest.current(EVENTS.get(i)));
      }
      // The snapshot stands for rows 1..5; row 6 is written after it (by the upgraded node).
      snapshot(c, "legacy-snapshot", EVENTS.size(), GoldenFixturesTest.legacy("profile.State"));
      snapshot(c, "current-snapshot", EVENTS.size(), GoldenFixturesTest.current("profile.State"));
      event(c, "legacy-snapshot", EVENTS.size() + 1, GoldenFixturesTest.current("profile.EventRecorded"));
      event(c, "current-snapshot", EVENTS.size() + 1, GoldenFixturesTest.current("profile.EventRecorded"));
      // A snapshot of the format before links.blocked, then an unmerge's block written by the upgraded node.
      snapshot(c, "v4-snapshot", EVENTS.size(), Fixture.read(GoldenFixtureWriter.DIR.resolve("older"), "profile.State.v4"));
      event(c, "v4-snapshot", EVENTS.size() + 1, GoldenFixturesTest.current("profile.LinkBlocked"));
    }

    ActorTestKit kit = ActorTestKit.create("recovery", config);
    try {
      EngineSettings settings = TestSettings.defaults();
      List<UserProfile.Event> journaled = EVENTS.stream().map(n -> (UserProfile.Event) GoldenValues.stored().get(n)).toList();
      List<UserProfile.Event> afterSnapshot = List.of((UserProfile.Event) GoldenValues.stored().get("profile.EventRecorded"));
      for (String user : List.of("legacy-events", "current-events")) {
        ProfileState expected = GoldenValues.fold(journaled, ProfileState.empty(user), settings.profile());
        FieldByField.assertSameValue(expected, recover(kit, settings, user));
      }
      for (String user : List.of("legacy-snapshot", "current-snapshot")) {
        ProfileState base = user.startsWith("current") ? GoldenValues.linkedSnapshot() : GoldenValues.snapshot();
        ProfileState expected = GoldenValues.fold(afterSnapshot, base, settings.profile());
        ProfileState recovered = recover(kit, settings, user);
        FieldByField.assertSameValue(expected, recovered);
        assertEquals(expected.eventCount(), recovered.eventCount());
        assertEquals(expected.view(null, settings.profile()), recovered.view(null, settings.profile()), user);
      }
      UserProfile.LinkBlocked blocked = (UserProfile.LinkBlocked) GoldenValues.all(kit.system().ignoreRef()).get("profile.LinkBlocked");
      ProfileState unblocked = recover(kit, settings, "v4-snapshot");
      assertEquals(blocked.keys(), unblocked.links().blocked(), "the block journaled after an old snapshot is recovered");
      FieldByField.assertSameValue(GoldenValues.snapshot().withLinks(IdentityLinks.NONE.blocking(blocked.keys())), unblocked);
    } finally {
      kit.shutdownTestKit();
    }
  }

  /** The state the entity recovered (published once recovery completed; the reply comes after it). */
  private static ProfileState recover(ActorTestKit kit, EngineSettings settings, String user) {
    ActorRef<UserProfile.Command> entity = kit.spawn(UserProfile.create(user, settings, Clock.fixed(GoldenValues.T0, ZoneOffset.UTC)), user);
    TestProbe<UserProfile.ProfileReply> probe = kit.createTestProbe();
    entity.tell(new UserProfile.GetProfile(null, probe.ref()));
    assertNotNull(probe.expectMessageClass(UserProfile.ProfileReply.class, Duration.ofSeconds(30)).profile().orElseThrow());
    return HostedProfiles.get(kit.system()).get(user);
  }

  private static void event(Connection c, String user, long seq, Fixture f) throws Exception {
    try (PreparedStatement insert = c.prepareStatement("INSERT INTO \"event_journal\" (\"persistence_id\", \"sequence_number\", \"writer\", "
        + "\"write_timestamp\", \"adapter_manifest\", \"event_payload\", \"event_ser_id\", \"event_ser_manifest\") VALUES (?, ?, 'golden', 0, '', ?, ?, ?)")) {
      insert.setString(1, "UserProfile|" + user);
      insert.setLong(2, seq);
      insert.setBytes(3, f.payload());
      insert.setInt(4, f.serializerId());
      insert.setString(5, f.manifest());
      insert.executeUpdate();
    }
  }

  private static void snapshot(Connection c, String user, long seq, Fixture f) throws Exception {
    try (PreparedStatement insert = c.prepareStatement("INSERT INTO \"snapshot\" (\"persistence_id\", \"sequence_number\", \"created\", "
        + "\"snapshot_ser_id\", \"snapshot_ser_manifest\", \"snapshot_payload\") VALUES (?, ?, 0, ?, ?, ?)")) {
      insert.setString(1, "UserProfile|" + user);
      insert.setLong(2, seq);
      insert.setInt(3, f.serializerId());
      insert.setString(4, f.manifest());
      insert.setBytes(5, f.payload());
      insert.executeUpdate();
    }
  }
}
