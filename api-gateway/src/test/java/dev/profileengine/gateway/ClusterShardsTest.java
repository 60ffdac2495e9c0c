package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profileengine.engine.ProfileShards;
import dev.profileengine.gateway.replay.ShardRouting;
import dev.profileengine.gateway.wire.Json;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where shards live. {@code GET /v1/cluster/shards} names the node's own cluster address and lists, under it, the
 * shard of every user it has stored, by the engine's shard function; the replay client's routing
 * reads it and sends those users to this node. On a cold cluster a shard is placed on the node that
 * first received one of its users ({@code RequesterFirstAllocation}), where the replay client sends
 * every user of a shard not placed yet.
 */
class ClusterShardsTest {
  @TempDir
  Path dataDir;

  @Test
  void theShardsOfStoredUsersAreListedUnderTheNodeThatHostsThem() throws Exception {
    try (TestNode node = TestNode.start(dataDir)) {
      List<String> users = List.of("shard-a", "shard-b", "shard-c", "shard-d");
      for (String user : users) {
        HttpResponse<String> r = node.send("POST", "/v1/events", "{\"eventId\":\"e-" + user + "\",\"userId\":\"" + user
            + "\",\"type\":\"view\",\"timestamp\":\"" + Instant.now().minusSeconds(5) + "\",\"categoryId\":\"c1\"}");
        assertEquals(200, r.statusCode(), r.body());
      }

      HttpResponse<String> r = node.get("/v1/cluster/shards");
      assertEquals(200, r.statusCode(), r.body());
      JsonNode body = Json.MAPPER.readTree(r.body());
      String self = body.path("self").asText();
      assertTrue(self.startsWith("akka://"), r.body());
      assertEquals(256, body.path("shards").asInt());
      assertEquals(1, body.path("owners").size(), "one node, one region: " + r.body());
      List<Integer> hosted = new ArrayList<>();
      body.path("owners").path(self).forEach(s -> hosted.add(s.asInt()));
      ProfileShards shards = new ProfileShards(256);
      for (String user : users) {
        assertTrue(hosted.contains(Integer.parseInt(shards.shardId(user))), user + " in " + r.body());
      }

      ShardRouting routing = ShardRouting.fetch(List.of(node.base), null);
      assertEquals(hosted.size(), routing.routedShards());
      for (String user : users) assertEquals(0, routing.nodeOf(user));
    }
  }

  @Test
  void aColdClusterPlacesEachShardOnTheNodeItsFirstUserWasSentTo() throws Exception {
    // Placed by their first events, not ahead of them.
    try (PostgresCluster cluster = twoNodes(dataDir.resolve("cold"), "off")) {
      List<TestNode> nodes = cluster.nodes();
      List<java.net.URI> urls = nodes.stream().map(n -> n.base).toList();
      // Both regions registered with the coordinator (it places shards only on registered ones).
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (Json.MAPPER.readTree(nodes.get(0).get("/v1/cluster/shards").body()).path("owners").size() < 2) {
        assertTrue(System.nanoTime() < deadline, "both shard regions listed within 60 s");
        Thread.sleep(100);
      }
      ShardRouting cold = ShardRouting.fetch(urls, null);
      ProfileShards shards = new ProfileShards(256);
      // Users of shards not placed yet, sent one by one to the node the client picks for their shard.
      Map<String, Integer> sentTo = new HashMap<>();
      for (int i = 0; i < 300 && sentTo.size() < 120; i++) {
        String user = "cold-" + i;
        if (cold.placed(user)) continue;
        int node = cold.nodeOf(user);
        HttpResponse<String> r = nodes.get(node).send("POST", "/v1/events", "[{\"eventId\":\"e-" + user + "\",\"userId\":\"" + user
            + "\",\"type\":\"view\",\"timestamp\":\"" + Instant.now().minusSeconds(5) + "\",\"categoryId\":\"c1\"}]");
        assertEquals(200, r.statusCode(), r.body());
        sentTo.put(user, node);
      }
      ShardRouting placed = ShardRouting.fetch(urls, null);
      List<String> moved = new ArrayList<>();
      sentTo.forEach((user, node) -> {
        if (placed.nodeOf(user) != node) moved.add(user + " (shard " + shards.shardId(user) + ") sent to node " + node + ", placed on " + placed.nodeOf(user));
      });
      assertTrue(placed.routedShards() >= 60, "shards placed: " + placed.routedShards());
      assertTrue(moved.isEmpty(), moved.size() + " of " + sentTo.size() + " users live on another node than the one they were sent to: " + moved);
    }
  }

  @Test
  void aFormedClusterPlacesEveryShardBeforeAnyEvent() throws Exception {
    try (PostgresCluster cluster = twoNodes(dataDir.resolve("formed"), "1s")) {
      List<TestNode> nodes = cluster.nodes();
      TestNode.awaitShardsPlaced(nodes, 256, null);
      JsonNode owners = Json.MAPPER.readTree(nodes.get(0).get("/v1/cluster/shards").body()).path("owners");
      List<Integer> counts = new ArrayList<>();
      owners.forEach(list -> counts.add(list.size()));
      assertEquals(List.of(128, 128), counts, "each node its rank's shards: " + owners);
    }
  }

  /** Two nodes on one PostgreSQL, with {@code profile.place-shards-after} as given. */
  private static PostgresCluster twoNodes(Path dir, String placeShardsAfter) throws Exception {
    return PostgresCluster.start(dir, 2, Map.of("profile.model.workers", 1, "profile.place-shards-after", placeShardsAfter));
  }
}
