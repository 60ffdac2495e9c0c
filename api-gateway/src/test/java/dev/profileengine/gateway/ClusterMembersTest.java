package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profileengine.engine.node.AppVersion;
import dev.profileengine.gateway.wire.Json;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /v1/cluster/members} on a single node: the node is its own only member, Up, reachable,
 * leader and oldest, with this build's app version, the shards {@code GET /v1/cluster/shards} lists
 * under it and a live profile for every user it was sent; the route needs the read scope.
 */
class ClusterMembersTest {
  private static final String READ_KEY = "members-read-4c9e1a7f3b5d8026c4e9a1f7b3d5e8c2";
  private static final String INGEST_KEY = "members-ingest-8a2f6c4e1b9d7305a8f2c6e4b1d9f7a3";

  @TempDir
  Path dataDir;

  @Test
  void theNodeIsItsOwnUpMemberWithTheShardsAndProfilesItHosts() throws Exception {
    try (TestNode node = TestNode.start(dataDir, Map.of("profile.http.api-keys", List.of(READ_KEY + "=read", INGEST_KEY + "=ingest")))) {
      List<String> users = List.of("member-a", "member-b", "member-c", "member-d", "member-e");
      for (String user : users) {
        HttpResponse<String> r = node.send("POST", "/v1/events", "{\"eventId\":\"e-" + user + "\",\"userId\":\"" + user
            + "\",\"type\":\"view\",\"timestamp\":\"" + Instant.now().minusSeconds(5) + "\",\"categoryId\":\"c1\"}", "Bearer " + INGEST_KEY);
        assertEquals(200, r.statusCode(), r.body());
      }

      assertEquals(401, node.get("/v1/cluster/members").statusCode(), "no key");
      assertEquals(403, node.get("/v1/cluster/members", "Bearer " + INGEST_KEY).statusCode(), "an ingest key may not read it");
      HttpResponse<String> r = node.get("/v1/cluster/members", "Bearer " + READ_KEY);
      assertEquals(200, r.statusCode(), r.body());
      JsonNode body = Json.MAPPER.readTree(r.body());
      String self = body.path("self").asText();
      assertTrue(self.startsWith("akka://"), r.body());
      assertEquals(self, body.path("leader").asText(), "a single node leads itself: " + r.body());
      assertEquals(self, body.path("oldest").asText(), r.body());
      assertEquals(1, body.path("members").size(), r.body());

      JsonNode me = body.path("members").get(0);
      assertEquals(self, me.path("address").asText());
      assertEquals("Up", me.path("status").asText());
      assertTrue(me.path("reachable").asBoolean() && me.path("self").asBoolean() && me.path("leader").asBoolean()
          && me.path("oldest").asBoolean(), r.body());
      assertEquals(AppVersion.build(), me.path("appVersion").asText());
      assertTrue(me.path("roles").isArray(), r.body());

      HttpResponse<String> shards = node.get("/v1/cluster/shards", "Bearer " + READ_KEY);
      assertEquals(200, shards.statusCode(), shards.body());
      int hosted = Json.MAPPER.readTree(shards.body()).path("owners").path(self).size();
      assertTrue(hosted > 0, shards.body());
      assertEquals(hosted, me.path("shards").asInt(), "the same shards as /v1/cluster/shards: " + r.body());
      // Idle profiles passivate only after 10 minutes: every user sent is alive.
      assertTrue(me.path("activeProfiles").asLong() >= users.size(), r.body());
    }
  }
}
