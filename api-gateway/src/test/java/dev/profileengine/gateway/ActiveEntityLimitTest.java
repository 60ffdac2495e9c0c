package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profileengine.gateway.wire.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory stays bounded by the node's entity limit: past it the least recently used profiles are
 * passivated (the shards' admission filter is off, see engine-cluster.conf), and a passivated
 * profile answers as before, recovered from the journal, with nothing lost.
 */
class ActiveEntityLimitTest {
  private static final int LIMIT = 40;
  private static final int USERS = 300;

  @TempDir
  Path dataDir;

  @Test
  void profilesBeyondTheLimitArePassivatedAndReadBackWhole() throws Exception {
    try (TestNode node = TestNode.start(dataDir, Map.of(
        "akka.cluster.sharding.passivation.default-strategy.active-entity-limit", LIMIT,
        "akka.cluster.sharding.number-of-shards", 4,
        "profile.model.enabled", false))) {
      Instant t = Instant.now().minusSeconds(3600);
      for (int u = 0; u < USERS; u++) {
        StringBuilder batch = new StringBuilder("[");
        for (int e = 0; e < 3; e++) {
          if (e > 0) batch.append(',');
          batch.append("{\"eventId\":\"u").append(u).append("-e").append(e).append("\",\"userId\":\"limit-").append(u)
              .append("\",\"type\":\"view\",\"timestamp\":\"").append(t.plusSeconds(e)).append("\",\"categoryId\":\"c").append(e).append("\"}");
        }
        assertEquals(200, node.send("POST", "/v1/events", batch.append(']').toString()).statusCode(), "user " + u);
      }
      // Passivation follows the writes asynchronously: wait (bounded) for the shards to get back under the limit.
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      double active = node.metric("profile_active_entities");
      while (active > LIMIT && System.nanoTime() < deadline) {
        Thread.onSpinWait();
        active = node.metric("profile_active_entities");
      }
      assertTrue(active <= LIMIT, "active profiles " + active + " over the limit " + LIMIT);

      for (int u = 0; u < USERS; u++) {
        var read = node.get("/v1/profiles/limit-" + u);
        assertEquals(200, read.statusCode(), "user " + u + " read back");
        JsonNode profile = Json.MAPPER.readTree(read.body());
        assertEquals(3, profile.path("eventCount").asInt(), "user " + u + ": " + read.body());
      }
      assertTrue(node.metric("profile_active_entities") <= LIMIT + 4, "reading them back keeps the bound (4 shards may each be one over)");
    }
  }
}
