package dev.profileengine.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.Address;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** One reading of discovery, seeds and Artery: whether a node shares a cluster, and whether others can reach it. */
class ClusterShapeTest {

  private static ClusterShape shape(Map<String, Object> overrides) {
    return ClusterShape.from(ConfigFactory.parseMap(overrides).withFallback(ConfigFactory.parseResources("engine-cluster.conf"))
        .withFallback(ConfigFactory.defaultReference()).resolve());
  }

  /** A configuration and what it makes of the node: shares a cluster? reachable by others? (the reason names the setting). */
  private record Row(Map<String, Object> config, Optional<String> shared, Optional<String> reachable) {}

  private static Optional<String> because(String setting) {
    return Optional.of(setting);
  }

  @Test
  void configurationsAndTheirShapes() {
    Optional<String> none = Optional.empty();
    List<Row> table = List.of(
        // the default: one node, Artery on loopback
        new Row(Map.of(), none, none),
        new Row(Map.of("akka.remote.artery.canonical.hostname", "localhost"), none, none),
        new Row(Map.of("akka.remote.artery.canonical.hostname", "::1"), none, none),
        // seeds that name only this node: still its own whole cluster, but a seed list is for others to join
        new Row(Map.of("profile.seed-nodes", "127.0.0.1:25520"), none, because("PROFILE_SEED_NODES")),
        new Row(Map.of("profile.seed-nodes", "127.0.0.1:25521", "akka.remote.artery.canonical.port", 25521), none,
            because("PROFILE_SEED_NODES")),
        // other nodes
        new Row(Map.of("profile.seed-nodes", "10.0.0.1:25520"), because("PROFILE_SEED_NODES"), because("PROFILE_SEED_NODES")),
        new Row(Map.of("profile.seed-nodes", "127.0.0.1:25520,127.0.0.1:25521"), because("127.0.0.1:25521"), because("127.0.0.1:25521")),
        new Row(Map.of("profile.discovery", "kubernetes-api"), because("PROFILE_DISCOVERY=kubernetes-api"),
            because("PROFILE_DISCOVERY=kubernetes-api")),
        new Row(Map.of("akka.cluster.seed-nodes", List.of("akka://profile-engine@10.0.0.1:25520")), because("akka.cluster.seed-nodes"),
            because("akka.cluster.seed-nodes")),
        // alone, but listening beyond loopback
        new Row(Map.of("akka.remote.artery.canonical.hostname", "10.1.2.3"), none, because("Artery listens on 10.1.2.3")),
        new Row(Map.of("akka.remote.artery.canonical.hostname", "node-1.example"), none, because("node-1.example")),
        new Row(Map.of("akka.remote.artery.bind.hostname", "0.0.0.0"), none, because("Artery listens on 0.0.0.0")));
    for (Row row : table) {
      ClusterShape s = shape(row.config());
      assertReason(row.shared(), s.sharedBecause(), "shared: " + row.config());
      assertReason(row.reachable(), s.reachableBecause(), "reachable: " + row.config());
    }
  }

  private static void assertReason(Optional<String> expected, Optional<String> actual, String what) {
    assertEquals(expected.isPresent(), actual.isPresent(), what + " -> " + actual);
    expected.ifPresent(e -> assertTrue(actual.get().contains(e), what + " -> " + actual.get()));
  }

  @Test
  void seedsBecomeAddressesOfTheActorSystem() {
    ClusterShape s = shape(Map.of("profile.seed-nodes", " 10.0.0.1:25520 ,,10.0.0.2:2552 "));
    assertEquals(List.of(new Address("akka", "profile-engine", "10.0.0.1", 25520), new Address("akka", "profile-engine", "10.0.0.2", 2552)),
        s.seedAddresses("profile-engine"));
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> shape(Map.of("profile.seed-nodes", "10.0.0.1")));
    assertTrue(bad.getMessage().contains("PROFILE_SEED_NODES"), bad.getMessage());
    assertThrows(IllegalArgumentException.class, () -> shape(Map.of("profile.seed-nodes", "10.0.0.1:port")));
  }
}
