package dev.profileengine.gateway;

import static dev.profileengine.gateway.ProfileEntities.awaitStopped;
import static dev.profileengine.gateway.ProfileEntities.manifests;
import static dev.profileengine.gateway.IdentityMergeTest.histories;
import static dev.profileengine.gateway.IdentityMergeTest.send;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.profileengine.data.BehaviorRow;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A profile passivated (idle, or past the active-entity limit) while something is still on its way
 * to it stops only once that has arrived: here its prediction, which a plain stop dropped, leaving
 * the profile without one for its latest events until the user's next event.
 */
class PassivationTest {
  @TempDir
  Path dataDir;

  @Test
  void aWriteWaitingForItsPredictionIsAnsweredThoughItsProfileIsAskedToStopMeanwhile() throws Exception {
    List<BehaviorRow> rows = histories().get(0).subList(0, 3);
    Map<String, Object> settings = Map.of(
        "akka.cluster.sharding.passivation.default-strategy.idle-entity.timeout", "1s",
        "profile.model.max-delay", "4s",
        // The write waits 2 s for a prediction that takes 4 s: the idle stop comes while it waits.
        "profile.model.wait-before-write", "2s");
    try (TestNode node = TestNode.start(dataDir, settings)) {
      send(node.node.engine().profiles(), "wait-p", rows); // every event accepted, none unconfirmed
      awaitStopped(node, "wait-p");
    }
    try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + dataDir.resolve("journal"), "sa", "")) {
      List<String> journaled = manifests(c, "wait-p");
      assertEquals(3, journaled.stream().filter(m -> m.startsWith("profile.EventRecorded")).count(), journaled.toString());
      assertTrue(journaled.stream().anyMatch(m -> m.startsWith("profile.PredictionUpdated")), "no prediction journaled: " + journaled);
    }
  }

  @Test
  void aProfileStoppedWithItsPredictionInFlightStopsOnceThePredictionIsJournaled() throws Exception {
    List<BehaviorRow> rows = histories().get(0).subList(0, 3);
    Map<String, Object> settings = Map.of(
        "akka.cluster.sharding.passivation.default-strategy.idle-entity.timeout", "1s",
        // A lone prediction waits this long for its batch to fill: in flight well past the idle stop.
        "profile.model.max-delay", "4s");
    long acknowledged;
    try (TestNode node = TestNode.start(dataDir, settings)) {
      send(node.node.engine().profiles(), "slow-p", rows);
      acknowledged = System.nanoTime();
      awaitStopped(node, "slow-p");
      long stoppedAfter = Duration.ofNanos(System.nanoTime() - acknowledged).toMillis();
      assertTrue(stoppedAfter >= 3_000, "stopped " + stoppedAfter + " ms after the write, before its prediction came");
    }
    try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + dataDir.resolve("journal"), "sa", "")) {
      List<String> journaled = manifests(c, "slow-p");
      assertEquals(3, journaled.stream().filter(m -> m.startsWith("profile.EventRecorded")).count(), journaled.toString());
      assertTrue(journaled.stream().anyMatch(m -> m.startsWith("profile.PredictionUpdated")), "no prediction journaled: " + journaled);
    }
  }
}
