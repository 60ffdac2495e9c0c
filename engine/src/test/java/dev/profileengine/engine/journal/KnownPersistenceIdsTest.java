package dev.profileengine.engine.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.Adapter;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.profileengine.engine.EngineSettings;
import dev.profileengine.engine.TestSettings;
import dev.profileengine.engine.UserProfile;
import dev.profileengine.engine.node.JournalConfig;
import dev.profileengine.profile.BehaviorEvent;
import dev.profileengine.profile.BehaviorType;
import dev.profileengine.profile.EventResult;
import dev.profileengine.profile.ProfileView;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real entities on the engine's H2 journal: ids with rows (journaled by a node, or only a snapshot)
 * are never taken for unknown, before or after a restart, so their recovery and exactly-once hold;
 * ids never written recover empty without the queries.
 */
class KnownPersistenceIdsTest {
  private static final Instant T0 = Instant.parse("2017-11-26T10:00:00Z");
  private static final Clock CLOCK = Clock.fixed(T0.plus(Duration.ofDays(1)), ZoneOffset.UTC);

  @TempDir
  Path dir;

  @Test
  void idsWithRowsAreKnownAcrossARestartAndOthersRecoverWithoutQueries() throws Exception {
    Config config = JournalConfig.resolve(TestSettings.engineConfig(ConfigFactory.parseString("akka.actor.provider = local")
        .withValue("profile.data-dir", ConfigValueFactory.fromAnyRef(dir.toString()))));
    EngineSettings settings = EngineSettings.from(config);
    try (Connection c = DriverManager.getConnection(config.getString("akka-persistence-jdbc.shared-databases.slick.db.url"), "sa", "")) {
      H2JournalSchema.apply(c);
      // a snapshot row alone (its events deleted): the id must count as known
      try (PreparedStatement st = c.prepareStatement("INSERT INTO \"snapshot\" (\"persistence_id\", \"sequence_number\", \"created\", "
          + "\"snapshot_ser_id\", \"snapshot_ser_manifest\", \"snapshot_payload\") VALUES ('UserProfile|snapshot-only', 1, 0, 1, '', X'00')")) {
        st.executeUpdate();
      }
    }

    ActorTestKit first = ActorTestKit.create("known-ids-1", config);
    try {
      KnownPersistenceIds known = loaded(first, settings);
      assertFalse(known.certainlyUnknown("UserProfile|snapshot-only"));
      assertTrue(known.certainlyUnknown("UserProfile|written"));
      assertEquals(List.of(EventResult.ACCEPTED, EventResult.ACCEPTED), record(first, settings, "written"));
      assertFalse(known.certainlyUnknown("UserProfile|written"), "an id is known once its rows are queued");
    } finally {
      first.shutdownTestKit();
    }

    ActorTestKit second = ActorTestKit.create("known-ids-2", config);
    try {
      KnownPersistenceIds known = loaded(second, settings);
      assertFalse(known.certainlyUnknown("UserProfile|written"), "read back from the journal after the restart");
      assertFalse(known.certainlyUnknown("UserProfile|snapshot-only"));
      assertEquals(2, profile(second, settings, "written").orElseThrow().eventCount(), "recovered");
      assertEquals(List.of(EventResult.DUPLICATE, EventResult.DUPLICATE), record(second, settings, "written"), "exactly once after the restart");
      assertTrue(known.certainlyUnknown("UserProfile|never-written"));
      assertEquals(Optional.empty(), profile(second, settings, "never-written"));
    } finally {
      second.shutdownTestKit();
    }
  }

  /** Starts the persistence plugins (an entity's recovery) and waits until the ids of both tables are read. */
  private static KnownPersistenceIds loaded(ActorTestKit kit, EngineSettings settings) throws Exception {
    profile(kit, settings, "first-recovery");
    KnownPersistenceIds known = KnownPersistenceIds.get(Adapter.toClassic(kit.system()));
    known.loaded().toCompletableFuture().get(30, TimeUnit.SECONDS);
    return known;
  }

  private static List<String> record(ActorTestKit kit, EngineSettings settings, String user) {
    ActorRef<UserProfile.Command> entity = kit.spawn(UserProfile.create(user, settings, CLOCK));
    TestProbe<UserProfile.Recorded> probe = kit.createTestProbe();
    entity.tell(new UserProfile.RecordEvents(List.of(BehaviorEvent.of("e1", user, BehaviorType.VIEW, T0),
        BehaviorEvent.of("e2", user, BehaviorType.VIEW, T0.plusSeconds(1))), probe.ref()));
    List<String> statuses = probe.expectMessageClass(UserProfile.Recorded.class, Duration.ofSeconds(30)).results().stream().map(EventResult::status).toList();
    kit.stop(entity);
    return statuses;
  }

  private static Optional<ProfileView> profile(ActorTestKit kit, EngineSettings settings, String user) {
    ActorRef<UserProfile.Command> entity = kit.spawn(UserProfile.create(user, settings, CLOCK));
    TestProbe<UserProfile.ProfileReply> probe = kit.createTestProbe();
    entity.tell(new UserProfile.GetProfile(null, probe.ref()));
    Optional<ProfileView> view = probe.expectMessageClass(UserProfile.ProfileReply.class, Duration.ofSeconds(30)).profile();
    kit.stop(entity);
    return view;
  }
}
