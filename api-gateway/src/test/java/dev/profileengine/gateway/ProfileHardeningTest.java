package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profileengine.gateway.wire.Json;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20 parts 4, 6 and 7 over HTTP on a real node (H2 journal): attribute caps answer 400 naming
 * the cap; forget forgets whatever is stored and refuses a retried old batch; each consent purpose
 * does what the README's table says.
 */
class ProfileHardeningTest {
  @TempDir
  static Path dir;
  static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start(dir, Map.of(
        "profile.segments.test-viewers.rule", "counts.30d.view >= 1",
        "profile.segments.test-viewers.description", "viewed anything (test)",
        "profile.segments.test-viewers.ads", false,
        "profile.segments.test-ad-viewers.rule", "counts.30d.view >= 1",
        "profile.segments.test-ad-viewers.description", "viewed anything, advertising (test)",
        "profile.segments.test-ad-viewers.ads", true));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return Json.MAPPER.readTree(r.body());
  }

  private static String event(String id, String user, long millis) {
    return "{\"eventId\":\"" + id + "\",\"userId\":\"" + user + "\",\"type\":\"view\",\"timestamp\":" + millis + ",\"categoryId\":\"c1\","
        + "\"context\":{\"city\":\"Lyon\",\"device\":\"phone\"}}";
  }

  private static JsonNode ingest(String body) throws Exception {
    HttpResponse<String> r = node.send("POST", "/v1/events", body);
    assertEquals(200, r.statusCode(), r.body());
    return json(r);
  }

  /** Ingests {@code body} as a client does: again while the node asks for a retry (503, unconfirmed). */
  private static JsonNode settled(String body) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      HttpResponse<String> r = node.send("POST", "/v1/events", body);
      if (r.statusCode() == 200) return json(r);
      assertEquals(503, r.statusCode(), r.body());
      if (System.nanoTime() > deadline) throw new AssertionError("still unconfirmed after 30 s: " + r.body());
      Thread.sleep(100);
    }
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("not within 60 s: " + what);
      Thread.sleep(200);
    }
  }

  private static boolean member(String segment, String user) {
    try {
      return node.segmentMembers(segment, 500).contains(user);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- part 4: bounded per profile ----

  @Test
  void attributesGrowToTheCapThenTheNextIsA400NamingIt() throws Exception {
    String user = "attr-cap";
    for (int batch = 0; batch < 4; batch++) {
      StringBuilder body = new StringBuilder("{");
      for (int i = 0; i < 25; i++) body.append(i == 0 ? "" : ",").append("\"k").append(batch * 25 + i).append("\":").append(i);
      HttpResponse<String> r = node.send("PUT", "/v1/profiles/" + user + "/attributes", body.append("}").toString());
      assertEquals(200, r.statusCode(), r.body());
    }
    HttpResponse<String> over = node.send("PUT", "/v1/profiles/" + user + "/attributes", "{\"k100\":1}");
    assertEquals(400, over.statusCode(), over.body());
    assertEquals("attributes", json(over).get("field").asText());
    assertTrue(json(over).get("error").asText().contains("at most 100 attributes"), over.body());
    assertEquals(100, json(node.get("/v1/profiles/" + user)).get("attributes").size(), "the refused write changed nothing");
    assertEquals(200, node.send("PUT", "/v1/profiles/" + user + "/attributes", "{\"k0\":null,\"k100\":1}").statusCode(), "a removal makes room");

    // The byte cap (16 KiB of names and values): 16 values of 1,000 characters fit, the 17th does not.
    String big = "x".repeat(1000);
    for (int i = 0; i < 16; i++)
      assertEquals(200, node.send("PUT", "/v1/profiles/attr-bytes/attributes", "{\"b" + i + "\":\"" + big + "\"}").statusCode());
    HttpResponse<String> tooBig = node.send("PUT", "/v1/profiles/attr-bytes/attributes", "{\"b16\":\"" + big + "\"}");
    assertEquals(400, tooBig.statusCode(), tooBig.body());
    assertEquals("attributes", json(tooBig).get("field").asText());
    assertTrue(json(tooBig).get("error").asText().contains("16384 bytes"), tooBig.body());
  }

  // ---- part 6: forget always forgets ----

  @Test
  void setThenNullThenForgetLeavesNothing() throws Exception {
    String user = "bob";
    assertEquals(200, node.send("PUT", "/v1/profiles/" + user + "/attributes", "{\"email\":\"bob@example.com\"}").statusCode());
    assertEquals(200, node.send("PUT", "/v1/profiles/" + user + "/attributes", "{\"email\":null}").statusCode());
    assertTrue(node.get("/v1/profiles/" + user + "/export").body().contains("bob@example.com"), "the journal holds it before the forget");

    HttpResponse<String> forget = node.send("DELETE", "/v1/profiles/" + user, "");
    assertEquals(200, forget.statusCode(), forget.body());
    assertEquals(2, json(forget).get("eventsErased").asInt(), forget.body());

    HttpResponse<String> export = node.get("/v1/profiles/" + user + "/export");
    assertEquals(404, export.statusCode(), export.body());
    assertFalse(export.body().contains("bob@example.com"));
    assertEquals(404, node.get("/v1/profiles/" + user).statusCode());
    assertEquals(404, node.send("DELETE", "/v1/profiles/" + user, "").statusCode(), "nothing left to forget");
    assertNoChangeButForgotten(user);
  }

  /** A catch-up of the user's changes from the start holds only the two forgotten notices (log and tombstone). */
  private static void assertNoChangeButForgotten(String user) throws Exception {
    try (SseClient changes = new SseClient(node.base.resolve("/v1/changes?userId=" + user + "&from=0"), null)) {
      int forgotten = 0;
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (forgotten < 2 && System.nanoTime() < deadline) {
        SseClient.Event e = changes.next(Duration.ofSeconds(5));
        if (e == null || e.data().isEmpty()) continue;
        JsonNode d = Json.MAPPER.readTree(e.data());
        assertEquals("forgotten", d.get("cause").asText(), "nothing of " + user + " but its erasure: " + d);
        assertFalse(e.data().contains("@example.com"));
        forgotten++;
      }
      assertEquals(2, forgotten, "the erasure log's notice and the tombstone's");
    }
  }

  @Test
  void forgetRacingARetriedBatchRefusesTheOldEventsAndAcceptsNewOnes() throws Exception {
    String user = "racer";
    long t = System.currentTimeMillis() - 60_000;
    String batch = "[" + event("r1", user, t) + "," + event("r2", user, t + 1) + "," + event("r3", user, t + 2) + "]";
    assertEquals(3, ingest(batch).get("accepted").asInt());

    // The forget and a retry of the same batch at once: the retry lands before (then is erased),
    // during (refused, retry) or after (refused forgotten); never stored once the forget answered.
    var forget = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        return node.send("DELETE", "/v1/profiles/" + user, "");
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    HttpResponse<String> during = node.send("POST", "/v1/events", batch);
    assertTrue(during.statusCode() == 200 || (during.statusCode() == 503 && json(during).get("unconfirmed").asInt() == 3), during.body());
    assertEquals(200, forget.get().statusCode(), forget.get().body());

    JsonNode retried = settled(batch);
    for (JsonNode r : retried.get("results")) assertEquals("forgotten", r.get("status").asText(), retried.toString());
    assertEquals(0, retried.get("accepted").asInt());
    assertEquals(404, node.get("/v1/profiles/" + user).statusCode());
    assertEquals(404, node.get("/v1/profiles/" + user + "/export").statusCode());

    long after = System.currentTimeMillis() + 1000;
    JsonNode fresh = ingest("[" + event("r4", user, after) + "]");
    assertEquals("accepted", fresh.at("/results/0/status").asText(), fresh.toString());
    assertEquals(1, json(node.get("/v1/profiles/" + user)).get("eventCount").asInt(), "a fresh profile");
    List<String> kinds = new ArrayList<>();
    for (JsonNode e : json(node.get("/v1/profiles/" + user + "/export")).get("events")) kinds.add(e.get("kind").asText() + ":" + e.at("/data/eventId").asText(""));
    assertTrue(kinds.contains("behavior:r4") && kinds.stream().noneMatch(k -> k.matches("behavior:r[123]")), kinds.toString());
  }

  @Test
  void aUserWithOnlyConsentRowsCanBeForgotten() throws Exception {
    String user = "consent-only";
    assertEquals(200, node.send("PUT", "/v1/profiles/" + user + "/consent", "{\"ads\":false}").statusCode());
    HttpResponse<String> forget = node.send("DELETE", "/v1/profiles/" + user, "");
    assertEquals(200, forget.statusCode(), forget.body());
    assertEquals(404, node.get("/v1/profiles/" + user).statusCode());
    assertEquals(404, node.get("/v1/profiles/" + user + "/export").statusCode());
  }

  @Test
  void aForgottenUserLeavesItsSegments() throws Exception {
    String user = "segment-forget";
    ingest(event("s1", user, System.currentTimeMillis() - 1000));
    await("member of test-viewers", () -> member("test-viewers", user));
    assertEquals(200, node.send("DELETE", "/v1/profiles/" + user, "").statusCode());
    await("no longer a member", () -> !member("test-viewers", user));
    assertNoChangeButForgotten(user);
  }

  // ---- part 7: consent means something ----

  @Test
  void withoutAnalyticsEventsAreAcknowledgedButNotProfiled() throws Exception {
    String user = "no-analytics";
    long t = System.currentTimeMillis() - 10_000;
    ingest(event("a1", user, t));
    JsonNode withdrawn = json(node.send("PUT", "/v1/profiles/" + user + "/consent", "{\"analytics\":false}"));
    assertEquals(0, withdrawn.get("eventCount").asInt(), "behavior data dropped: " + withdrawn);
    assertTrue(withdrawn.get("recent").isEmpty(), "no recent behaviors: " + withdrawn);

    JsonNode acked = ingest("[" + event("a2", user, t + 1) + "," + event("a2", user, t + 1) + "]");
    assertEquals("accepted", acked.at("/results/0/status").asText());
    assertTrue(acked.at("/results/0/detail").asText().startsWith("not profiled"), acked.toString());
    assertEquals("duplicate", acked.at("/results/1/status").asText(), "still de-duplicated");
    JsonNode profile = json(node.get("/v1/profiles/" + user));
    assertEquals(0, profile.get("eventCount").asInt());
    assertTrue(profile.get("recent").isEmpty() && profile.at("/interests/categories").isEmpty(), profile.toString());
    List<String> stored = new ArrayList<>();
    for (JsonNode e : json(node.get("/v1/profiles/" + user + "/export")).get("events"))
      if (e.at("/data/eventId").isTextual()) stored.add(e.get("kind").asText() + ":" + e.at("/data/eventId").asText());
    assertEquals(List.of("behavior:a1", "acknowledged:a2"), stored, "of a2 only the id and time are journaled");

    node.send("PUT", "/v1/profiles/" + user + "/consent", "{\"analytics\":true}");
    assertEquals("duplicate", ingest(event("a2", user, t + 1)).at("/results/0/status").asText(), "an acknowledged event stays acknowledged");
    ingest(event("a3", user, t + 2));
    assertEquals(1, json(node.get("/v1/profiles/" + user)).get("eventCount").asInt(), "only later events are profiled");
  }

  @Test
  void withoutPersonalizationNoRecommendations() throws Exception {
    String user = "no-personalization";
    ingest(event("p1", user, System.currentTimeMillis() - 1000));
    node.send("PUT", "/v1/profiles/" + user + "/consent", "{\"personalization\":false}");
    JsonNode rec = json(node.get("/v1/profiles/" + user + "/recommendations"));
    assertTrue(rec.get("items").isEmpty(), rec.toString());
    assertNotNull(rec.get("withheld").asText(null), rec.toString());
    JsonNode profile = json(node.get("/v1/profiles/" + user));
    assertTrue(profile.get("prediction") == null || profile.get("prediction").isNull(), profile.toString());
  }

  @Test
  void withoutAdsTheUserLeavesAdSegmentsOnly() throws Exception {
    String user = "no-ads";
    ingest(event("d1", user, System.currentTimeMillis() - 1000));
    await("member of both", () -> member("test-ad-viewers", user) && member("test-viewers", user));
    node.send("PUT", "/v1/profiles/" + user + "/consent", "{\"ads\":false}");
    await("out of the ad segment", () -> !member("test-ad-viewers", user));
    assertTrue(member("test-viewers", user), "still in segments that are not for ads");
    JsonNode profile = json(node.get("/v1/profiles/" + user));
    String segments = profile.get("segments").toString();
    assertTrue(segments.contains("\"test-viewers\"") && !segments.contains("test-ad-viewers"), segments);
  }
}
