package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profileengine.gateway.wire.Json;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node remembers the links events carried lately and does not ask for them again. A forget on
 * another node of the cluster must clear that memory everywhere: otherwise the next event carrying
 * the same ids through the remembering node is taken as linked, the anonymous id stays apart from
 * the customer's new profile, and its later events go to a profile of their own.
 */
class IdentityClusterLinkCacheTest {
  private static final String CLEARS_BY_TOPIC = "profile_identity_link_cache_clears_total{source=\"topic\"}";
  private static final String CACHED = "profile_identity_links_total{kind=\"identify\",outcome=\"cached\"}";

  @TempDir
  Path dir;

  @Test
  void aForgetOnOneNodeClearsTheLinksAnotherNodeRemembers() throws Exception {
    try (PostgresCluster cluster = PostgresCluster.start(dir, 2)) {
      TestNode a = cluster.node(0);
      TestNode b = cluster.node(1);

      // The topic reaches b once the cluster's receptionist has gossiped b's listener to a.
      awaitTopicConnected(a, b);

      long t = System.currentTimeMillis() - 60_000;
      post(b, "[" + event("lc1", "lc-cust", "lc-anon", t) + "," + event("lc2", "lc-cust", "lc-anon", t + 1000) + "]");
      // A link answered while its merge was only journaled as started is not remembered: the next one is.
      post(b, "[" + event("lc3", "lc-cust", "lc-anon", t + 2000) + "]");
      post(b, "[" + event("lc3b", "lc-cust", "lc-anon", t + 3000) + "]");
      assertTrue(b.metric(CACHED) >= 1, "b answered the repeated link from its memory: " + b.metric(CACHED));

      double clears = b.metric(CLEARS_BY_TOPIC);
      HttpResponse<String> forget = a.send("DELETE", "/v1/profiles/lc-cust", "");
      assertEquals(200, forget.statusCode(), forget.body());
      awaitMetricAbove(b, CLEARS_BY_TOPIC, clears);

      // After the forget: the same ids through b link again, so the anonymous id's next event joins the customer.
      long now = System.currentTimeMillis();
      post(b, "[" + event("lc4", "lc-cust", "lc-anon", now) + "]");
      post(b, "[" + event("lc5", null, "lc-anon", now + 1000) + "]");
      JsonNode profile = Json.MAPPER.readTree(a.get("/v1/profiles/lc-cust").body());
      assertEquals("lc-anon", profile.at("/identities/anonymousId/0").asText(), profile.toString());
      assertEquals(2, profile.get("eventCount").asLong(), "the two events after the forget, not those before: " + profile);
    }
  }

  private static String event(String id, String userId, String anonymousId, long at) {
    return "{\"eventId\":\"" + id + "\"," + (userId == null ? "" : "\"userId\":\"" + userId + "\",") + "\"anonymousId\":\"" + anonymousId
        + "\",\"type\":\"view\",\"timestamp\":" + at + ",\"itemId\":\"i1\",\"categoryId\":\"c1\"}";
  }

  private static void post(TestNode node, String batch) throws Exception {
    HttpResponse<String> r = node.send("POST", "/v1/events", batch);
    assertEquals(200, r.statusCode(), r.body());
    JsonNode body = Json.MAPPER.readTree(r.body());
    assertEquals(body.get("results").size(), body.get("accepted").asInt(), r.body());
  }

  /** Forgets an id nobody uses through {@code from} until {@code to} hears of it (30 s at most). */
  private static void awaitTopicConnected(TestNode from, TestNode to) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      double before = to.metric(CLEARS_BY_TOPIC);
      from.send("DELETE", "/v1/profiles/lc-nobody", "");
      if (metricAbove(to, CLEARS_BY_TOPIC, before, Duration.ofSeconds(2))) return;
    }
    throw new AssertionError("the other node never heard of a forget in 30 s");
  }

  private static void awaitMetricAbove(TestNode node, String sample, double value) throws Exception {
    assertTrue(metricAbove(node, sample, value, Duration.ofSeconds(20)), sample + " stayed at " + value);
  }

  /** Polls {@code sample} until it exceeds {@code value} or {@code within} passes. */
  private static boolean metricAbove(TestNode node, String sample, double value, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      if (node.metric(sample) > value) return true;
      Thread.sleep(50);
    }
    return false;
  }
}
