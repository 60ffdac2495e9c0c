package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real start attempts with configurations that would lose or leak data: each one fails with a
 * message naming the setting, and leaves nothing running (no actor system, no bound port).
 */
class RefusedStartTest {
  @TempDir
  Path dataDir;

  /** Starts a node with {@code overrides} on a fixed free Artery port; returns the refusal. */
  private IllegalStateException refusedStart(Map<String, Object> overrides) throws Exception {
    int artery = TestNode.freePort();
    int http = TestNode.freePort();
    Map<String, Object> config = new HashMap<>(Map.of(
        "profile.data-dir", dataDir.toString(), "profile.http.port", http, "akka.remote.artery.canonical.port", artery,
        "akka.management.http.port", 0, "profile.grpc.port", 0));
    config.putAll(overrides);
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> ProfileNode.start(ProfileNode.config(ConfigFactory.parseMap(config))).close(), overrides.toString());
    // Nothing was left running: the ports are free and no thread of an actor system is alive.
    for (int port : List.of(artery, http)) {
      try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        assertEquals(port, s.getLocalPort());
      }
    }
    List<String> akkaThreads = Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
        .filter(n -> n.startsWith(ProfileNode.SYSTEM_NAME + "-")).toList();
    assertEquals(List.of(), akkaThreads, "threads of an actor system left running");
    return e;
  }

  @Test
  void anH2NodeWithSeedNodesOfOtherNodesRefusesToStart() throws Exception {
    IllegalStateException e = refusedStart(Map.of("profile.journal.kind", "h2",
        "profile.seed-nodes", "127.0.0.1:" + TestNode.freePort() + ",127.0.0.1:" + TestNode.freePort()));
    assertTrue(e.getMessage().contains("PROFILE_JOURNAL") && e.getMessage().contains("PROFILE_SEED_NODES"), e.getMessage());
  }

  @Test
  void anH2NodeWithClusterBootstrapRefusesToStart() throws Exception {
    IllegalStateException e = refusedStart(Map.of("profile.discovery", "kubernetes-api"));
    assertTrue(e.getMessage().contains("PROFILE_JOURNAL") && e.getMessage().contains("PROFILE_DISCOVERY"), e.getMessage());
  }

  @Test
  void aNodeWithThePlaceholderKeysOnceShippedRefusesToStart() throws Exception {
    IllegalStateException e = refusedStart(Map.of(
        "profile.http.api-keys-env", "REPLACE-ME-ingest-key=ingest+read,REPLACE-ME-admin-key=ingest+read+admin"));
    assertTrue(e.getMessage().contains("PROFILE_API_KEYS"), e.getMessage());
  }

  @Test
  void aNodeHashingPiiWithoutASaltRefusesToStart() throws Exception {
    IllegalStateException e = refusedStart(Map.of("profile.privacy.pii-spec", "city=hash", "profile.privacy.pii-salt", ""));
    assertTrue(e.getMessage().contains("PROFILE_PII_SALT"), e.getMessage());
  }
}
