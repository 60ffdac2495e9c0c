package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.Address;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.sharding.ShardRegion;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.JoinSeedNodes;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.profileengine.engine.ProfileShards;
import dev.profileengine.engine.UserProfile;
import dev.profileengine.gateway.wire.Json;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster is closed: three nodes on loopback form a cluster over Artery TLS (mutual
 * authentication, key material from k8s/generate-cluster-certs.sh's Secret), two strangers that
 * reach the seed node's port do not get in (one with a certificate no cluster CA signed, one
 * speaking plain TCP), and with TLS on the cluster still hands a stopped node's shards over: the
 * events of its users are accepted and read through the other nodes.
 */
class ClusterTlsTest {
  private static final int USERS = 60;
  private static final Duration INTRUDER_WATCH = Duration.ofSeconds(20);

  @TempDir
  Path dir;

  @Test
  void tlsClusterFormsKeepsStrangersOutAndFailsOver() throws Exception {
    Path tlsDir = ClusterCerts.secretDir();
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(dir.resolve("pg")).setCleanDataDirectory(true).start()) {
      int seedPort = TestNode.freePort();
      List<TestNode> nodes = new ArrayList<>();
      List<ActorSystem<Void>> intruders = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          Map<String, Object> config = ClusterCerts.postgresNode(tlsDir, pg.getJdbcUrl("postgres", "postgres"), seedPort, i == 0 ? seedPort : 0);
          config.put("profile.model.enabled", false);
          nodes.add(TestNode.start(dir.resolve("node" + i), config));
        }
        for (TestNode n : nodes) {
          assertEquals("tls-tcp", n.node.system().settings().config().getString("akka.remote.artery.transport"), "Artery transport");
        }
        Set<Address> cluster = awaitUp(nodes, 3, Duration.ofSeconds(90));

        // Two strangers at the seed node's port: a certificate of its own (it trusts the cluster's CA,
        // the cluster does not trust it) and plain TCP.
        Address seed = new Address("akka", ProfileNode.SYSTEM_NAME, "127.0.0.1", seedPort);
        intruders.add(stranger(dir.resolve("intruder-cert"), tlsWith(ClusterCerts.selfSigned(dir.resolve("intruder-cert"))), seed));
        intruders.add(stranger(dir.resolve("intruder-tcp"), Map.of("akka.remote.artery.transport", "tcp"), seed));
        assertEquals("tls-tcp", intruders.get(0).settings().config().getString("akka.remote.artery.transport"));
        assertEquals("tcp", intruders.get(1).settings().config().getString("akka.remote.artery.transport"));
        long deadline = System.nanoTime() + INTRUDER_WATCH.toNanos();
        while (System.nanoTime() < deadline) {
          for (TestNode n : nodes) {
            assertEquals(cluster, addresses(Cluster.get(n.node.system()).state().getMembers()),
                "members seen by " + Cluster.get(n.node.system()).selfMember().address());
          }
          for (ActorSystem<Void> s : intruders) {
            assertFalse(Cluster.get(s).selfMember().status() == MemberStatus.up(), s.name() + " became a member");
            assertTrue(addresses(Cluster.get(s).state().getMembers()).stream().noneMatch(cluster::contains),
                s.name() + " sees cluster members");
          }
          Thread.sleep(250);
        }

        // Fail over with TLS on: the users whose shards live on node 2; node 2 stops; their events
        // still go in through node 0 and come back, all of them, through node 1.
        ingest(nodes.get(0), "before", USERS);
        Set<String> onNode2 = usersHostedBy(nodes.get(2), USERS);
        assertFalse(onNode2.isEmpty(), "node 2 hosts some of the users");
        nodes.get(2).close();
        awaitUp(nodes.subList(0, 2), 2, Duration.ofSeconds(60));
        HttpResponse<String> after = nodes.get(0).send("POST", "/v1/events", events("after", onNode2).toString());
        assertEquals(200, after.statusCode(), after.body());
        assertEquals(onNode2.size(), Json.MAPPER.readTree(after.body()).get("accepted").asInt(), after.body());
        for (String user : onNode2) {
          HttpResponse<String> r = nodes.get(1).get("/v1/profiles/" + user);
          assertEquals(200, r.statusCode(), r.body());
          JsonNode profile = Json.MAPPER.readTree(r.body());
          assertEquals(2, profile.path("eventCount").asInt(), user + ": the event before the stop and the one after");
        }
      } finally {
        for (ActorSystem<Void> s : intruders) s.terminate();
        for (TestNode n : nodes) n.close();
      }
    }
  }

  /**
   * Akka's own TLS settings for a stranger's key material (a stranger configures Akka directly; our
   * node would refuse a key store its own truststore does not accept).
   */
  private static Map<String, Object> tlsWith(Path dir) throws java.io.IOException {
    String password = java.nio.file.Files.readAllLines(dir.resolve("password")).get(0).strip();
    String engine = "akka.remote.artery.ssl.config-ssl-engine.";
    return Map.of("akka.remote.artery.transport", "tls-tcp",
        engine + "key-store", dir.resolve("keystore.p12").toString(),
        engine + "trust-store", dir.resolve("truststore.p12").toString(),
        engine + "key-store-password", password, engine + "key-password", password, engine + "trust-store-password", password,
        engine + "protocol", "TLSv1.3", engine + "enabled-algorithms", List.of("TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256"));
  }

  /** An Akka node of the cluster's system name that asks the seed node to let it join. */
  private static ActorSystem<Void> stranger(Path dataDir, Map<String, Object> settings, Address seed) {
    Map<String, Object> config = new HashMap<>(settings);
    config.put("profile.data-dir", dataDir.resolve("data").toString());
    config.put("akka.remote.artery.canonical.port", 0);
    config.put("akka.management.http.port", 0);
    Config resolved = ProfileNode.config(ConfigFactory.parseMap(config));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), ProfileNode.SYSTEM_NAME, resolved);
    Cluster.get(system).manager().tell(new JoinSeedNodes(List.of(seed)));
    return system;
  }

  private static Set<Address> awaitUp(List<TestNode> nodes, int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      List<Set<Address>> views = nodes.stream().map(n -> upMembers(Cluster.get(n.node.system()).state().getMembers())).toList();
      if (views.stream().allMatch(v -> v.size() == count && v.equals(views.get(0)))) {
        return views.get(0);
      }
      Thread.sleep(200);
    }
    throw new AssertionError("cluster of " + count + " Up members did not form within " + timeout.toSeconds() + " s");
  }

  private static Set<Address> upMembers(Iterable<Member> members) {
    Set<Address> up = new TreeSet<>(java.util.Comparator.comparing(Address::toString));
    for (Member m : members) if (m.status() == MemberStatus.up()) up.add(m.address());
    return up;
  }

  private static Set<Address> addresses(Iterable<Member> members) {
    Set<Address> all = new TreeSet<>(java.util.Comparator.comparing(Address::toString));
    for (Member m : members) all.add(m.address());
    return all;
  }

  private static void ingest(TestNode node, String tag, int users) throws Exception {
    Set<String> all = new TreeSet<>();
    for (int u = 0; u < users; u++) all.add("tls-u" + u);
    HttpResponse<String> r = node.send("POST", "/v1/events", events(tag, all).toString());
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(users, Json.MAPPER.readTree(r.body()).get("accepted").asInt(), r.body());
  }

  /** One view event per user; "after" events are a minute later than "before" ones. */
  private static com.fasterxml.jackson.databind.node.ArrayNode events(String tag, Set<String> users) {
    var body = Json.MAPPER.createArrayNode();
    long ts = 1_795_428_000_000L + (tag.equals("after") ? 60_000 : 0);
    for (String u : users) {
      body.addObject().put("eventId", tag + "-" + u).put("userId", u).put("type", "view")
          .put("timestamp", ts).put("itemId", "i1").put("categoryId", "c1");
    }
    return body;
  }

  /** The users (of tls-u0..) whose shard node's shard region hosts now. */
  private static Set<String> usersHostedBy(TestNode node, int users) throws Exception {
    ActorSystem<Void> system = node.node.system();
    ShardRegion.CurrentShardRegionState state = ProfileEntities.regionState(system);
    Set<String> shards = state.getShards().stream().map(ShardRegion.ShardState::shardId).collect(Collectors.toSet());
    ProfileShards shardOf = new ProfileShards(system.settings().config().getInt("akka.cluster.sharding.number-of-shards"));
    Set<String> hosted = new TreeSet<>();
    for (int u = 0; u < users; u++) if (shards.contains(shardOf.shardId("tls-u" + u))) hosted.add("tls-u" + u);
    return hosted;
  }
}
