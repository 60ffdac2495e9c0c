package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /v1/profiles/{id}} of a profile hosted on the node serves the JSON it rendered for the
 * profile's last written state until the next write (event, prediction, attributes): byte for byte
 * what a fresh rendering of the same view is, and never a state behind an acknowledged write.
 */
class ProfileReadCacheTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant T0 = Instant.now().minusSeconds(600).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);

  @TempDir
  Path dataDir;

  @Test
  void readsServeTheLastWrittenStateRenderedOnce() throws Exception {
    try (TestNode node = TestNode.start(dataDir)) {
      for (int i = 0; i < 3; i++) assertEquals(200, event(node, i).statusCode());
      String first = predictedAsOf(node, 3);
      String kept = node.get("/v1/profiles/u1").body();
      assertEquals(first, kept, "no write in between: the same JSON");
      assertEquals(kept.getBytes(StandardCharsets.UTF_8).length, node.metric("profile_read_cache_bytes"), "kept once, counted");
      assertEquals(kept, renderedAfresh(node, 2), "the same bytes as the view rendered for this read alone");

      // A write replaces the state: the next read shows it, and its prediction once that is written.
      assertEquals(200, event(node, 3).statusCode());
      assertEquals(4, JSON.readTree(node.get("/v1/profiles/u1").body()).get("eventCount").asInt(), "read after the acknowledgement");
      String after = predictedAsOf(node, 4);
      assertEquals(after, renderedAfresh(node, 3));
      assertEquals(200, node.send("PUT", "/v1/profiles/u1/attributes", "{\"tier\":\"gold\"}").statusCode());
      assertEquals("gold", JSON.readTree(node.get("/v1/profiles/u1").body()).path("attributes").path("tier").asText());
      assertEquals(node.get("/v1/profiles/u1").body(), renderedAfresh(node, 3));
    }
  }

  private static HttpResponse<String> event(TestNode node, int i) throws Exception {
    return node.send("POST", "/v1/events", "{\"eventId\":\"e" + i + "\",\"userId\":\"u1\",\"type\":\"view\",\"timestamp\":\""
        + T0.plusSeconds(i) + "\",\"itemId\":\"i" + i + "\",\"categoryId\":\"c" + i + "\"}");
  }

  /** The profile read as of event {@code i}'s time: rendered from the view for this read, not kept. */
  private static String renderedAfresh(TestNode node, int i) throws Exception {
    return node.get("/v1/profiles/u1?asOf=" + URLEncoder.encode(T0.plusSeconds(i).toString(), StandardCharsets.UTF_8)).body();
  }

  /** Reads until the profile's prediction is as of {@code events} (predictions are written after their events). */
  private static String predictedAsOf(TestNode node, int events) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      String body = node.get("/v1/profiles/u1").body();
      JsonNode p = JSON.readTree(body).path("prediction");
      if (p.path("asOfEventCount").asInt() == events) return body;
      assertTrue(System.nanoTime() < deadline, "no prediction as of " + events + " events: " + body);
      Thread.onSpinWait();
    }
  }
}
