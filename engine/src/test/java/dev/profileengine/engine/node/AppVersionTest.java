package dev.profileengine.engine.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import akka.util.Version;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The node announces its version to the cluster, so rolling updates hand shards to the newest nodes. */
class AppVersionTest {
  @Test
  void theRunningMemberReportsTheBuildVersion() throws Exception {
    String build = AppVersion.build();
    assertTrue(build.matches("\\d+\\.\\d+\\.\\d+.*"), build);
    assertEquals(new Version(build), upMemberVersion(ConfigFactory.empty()));
  }

  @Test
  void anOperatorSetVersionWinsAndAnUnparsableOneRefusesToStart() throws Exception {
    assertEquals(new Version("2.3.4"), upMemberVersion(ConfigFactory.parseString("profile.app-version = \"2.3.4\"")));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> AppVersion.apply(ConfigFactory.parseString("profile.app-version = \"1.x.y\"")));
    assertTrue(e.getMessage().contains("PROFILE_APP_VERSION"), e.getMessage());
  }

  /** Starts a one-node cluster with the engine's cluster configuration and returns its Up member's app-version. */
  private static Version upMemberVersion(Config overrides) throws Exception {
    Config config = ProfileEngine.configure(overrides
        .withFallback(ConfigFactory.parseString("akka.remote.artery.canonical.port = 0"))
        .withFallback(ConfigFactory.parseResources("engine-cluster.conf"))
        .withFallback(ConfigFactory.parseResources("engine-persistence.conf"))
        .withFallback(ConfigFactory.parseResources("engine-serialization.conf"))
        .withFallback(ConfigFactory.parseResources("engine-profile.conf"))
        .withFallback(ConfigFactory.defaultReference())
        .resolve());
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "AppVersionTest", config);
    try {
      Cluster cluster = Cluster.get(system);
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
      Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
      while (cluster.selfMember().status() != MemberStatus.up()) {
        if (Instant.now().isAfter(deadline)) throw new AssertionError("not Up: " + cluster.selfMember());
        Thread.sleep(50); // polling the member status with a deadline
      }
      assertEquals(cluster.selfMember().appVersion(), cluster.state().getMembers().iterator().next().appVersion());
      return cluster.selfMember().appVersion();
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get();
    }
  }
}
