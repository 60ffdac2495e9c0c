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
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /v1/cluster/shards} names the node's own cluster address and lists, under it, the
 * shard of every user it has stored, by the engine's shard function; the replay client's routing
 * reads it and sends those users to this node.
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
}
