package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profileengine.gateway.wire.Json;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP contract over a real node and a real client: statuses, per-field errors, JSON shapes. */
class HttpApiTest {
  @TempDir
  static Path dataDir;
  static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start(dataDir);
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return Json.MAPPER.readTree(r.body());
  }

  /**
   * This open node takes no write from another site's page (a cross-site "simple" POST a browser
   * sends without asking): 403 naming Origin, nothing stored; its own pages, and clients that send
   * no Origin, are served.
   */
  @Test
  void anotherSitesPageCannotWriteToAnOpenNode() throws Exception {
    String event = "{\"eventId\":\"csrf-1\",\"userId\":\"csrf-user\",\"type\":\"view\",\"timestamp\":\"" + java.time.Instant.now().minusSeconds(60) + "\"}";
    java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
    for (String origin : java.util.List.of("http://evil.example", "http://127.0.0.1:1", "null")) {
      HttpResponse<String> r = client.send(java.net.http.HttpRequest.newBuilder(node.base.resolve("/v1/events"))
          .header("Origin", origin).header("Content-Type", "text/plain").POST(java.net.http.HttpRequest.BodyPublishers.ofString(event)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(403, r.statusCode(), origin + ": " + r.body());
      assertEquals("Origin", json(r).get("field").asText(), r.body());
    }
    assertEquals(404, node.get("/v1/profiles/csrf-user").statusCode(), "nothing stored");
    String own = "http://" + node.base.getHost() + ":" + node.base.getPort();
    HttpResponse<String> r = client.send(java.net.http.HttpRequest.newBuilder(node.base.resolve("/v1/events"))
        .header("Origin", own).header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofString(event)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(200, client.send(java.net.http.HttpRequest.newBuilder(node.base.resolve("/v1/profiles/csrf-user")).header("Origin", "http://evil.example")
        .GET().build(), HttpResponse.BodyHandlers.ofString()).statusCode(), "a read is answered (no page can see it without CORS)");
  }

  /**
   * DNS rebinding: a page whose own name resolves to 127.0.0.1 sends its name as Host. An open node
   * answers no request for another host, reads included (the page could read them: same origin).
   */
  @Test
  void anOpenNodeAnswersLoopbackHostsOnly() throws Exception {
    String event = "{\"eventId\":\"rebind-1\",\"userId\":\"rebind-user\",\"type\":\"view\",\"timestamp\":\"" + java.time.Instant.now().minusSeconds(60) + "\"}";
    assertEquals(200, node.send("POST", "/v1/events", event).statusCode());
    assertEquals(200, node.get("/v1/profiles/rebind-user").statusCode()); // hosted now: the fast read path answers
    int port = node.base.getPort();
    for (String path : java.util.List.of("/v1/profiles/rebind-user", "/v1/profiles/rebind-user/export", "/v1/changes", "/console", "/metrics")) {
      for (String host : java.util.List.of("rebind.example:" + port, "127.0.0.1.rebind.example:" + port, "127.rebind.example")) {
        String answer = rawGet(path, host);
        assertTrue(answer.startsWith("HTTP/1.1 403"), host + path + ": " + answer);
        assertTrue(answer.contains("\"field\":\"Host\""), host + path + ": " + answer);
      }
    }
    for (String host : java.util.List.of("127.0.0.1:" + port, "localhost:" + port, "LOCALHOST")) {
      assertTrue(rawGet("/v1/profiles/rebind-user", host).startsWith("HTTP/1.1 200"), host);
    }
  }

  private String rawGet(String path, String host) throws Exception {
    try (java.net.Socket socket = new java.net.Socket(node.base.getHost(), node.base.getPort())) {
      socket.setSoTimeout(30_000);
      socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      byte[] head = socket.getInputStream().readNBytes(4096);
      return new String(head, java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  @Test
  void theOpenApiDescriptionIsServedAndNamesEveryRoute() throws Exception {
    HttpResponse<String> r = node.get("/openapi.yaml");
    assertEquals(200, r.statusCode());
    JsonNode spec = new com.fasterxml.jackson.dataformat.yaml.YAMLMapper().readTree(r.body());
    assertEquals("3.0.3", spec.get("openapi").asText());
    for (String route : new String[] {"/v1/events:", "/v1/profiles/{userId}:", "/v1/profiles/{userId}/attributes:", "/v1/changes:",
        "/v1/models:", "/v1/models/{version}/activate:", "/v1/models/{version}/evaluation:", "/health:", "/ready:", "/metrics:",
        "/v1/profiles/{userId}/export:", "/v1/profiles/{userId}/consent:", "/v1/profiles/{userId}/recommendations:",
        "/v1/segments:", "/v1/segments/{segmentId}/members:", "/v1/segments/reevaluate:", "/console:", "/v1/cluster/shards:", "/v1/cluster/members:",
        "/v1/identify:", "/v1/profiles/{userId}/unmerge:"}) {
      assertTrue(r.body().contains(route), route);
    }
  }

  @Test
  void healthAndReadiness() throws Exception {
    assertEquals(200, node.get("/health").statusCode());
    // Readiness asks the shard region each time; on a machine busy with other tests one ask may miss its timeout.
    HttpResponse<String> ready = node.get("/ready");
    for (long deadline = System.nanoTime() + 30_000_000_000L; ready.statusCode() != 200 && System.nanoTime() < deadline; ) {
      Thread.sleep(100);
      ready = node.get("/ready");
    }
    assertEquals(200, ready.statusCode(), ready.body());
    // The default H2 journal forces each commit to disk before acknowledging (PROFILE_H2_SYNC=commit).
    assertEquals("h2", json(ready).path("journal").asText(), ready.body());
    assertEquals("os-crash", json(ready).path("durability").asText(), ready.body());
  }

  @Test
  void aBatchReportsPerEventStatusInRequestOrder() throws Exception {
    long now = Instant.now().toEpochMilli();
    String body = """
        [{"eventId":"h1","userId":"alice","type":"view","timestamp":%d,"itemId":"i1","categoryId":"c1"},
         {"eventId":"h2","userId":"alice","type":"teleport","timestamp":%d},
         {"eventId":"h3","userId":"bob","type":"purchase","timestamp":"%s","price":-3},
         {"eventId":"h4","userId":"bob","type":"purchase","timestamp":"%s","price":12.5,"quantity":2,"brand":"acme",
          "context":{"device":"phone","country":"CN"}},
         {"eventId":"h1","userId":"alice","type":"view","timestamp":%d},
         42]
        """.formatted(now, now, Instant.ofEpochMilli(now), Instant.ofEpochMilli(now), now);
    HttpResponse<String> r = node.send("POST", "/v1/events", body);
    assertEquals(200, r.statusCode(), r.body());
    JsonNode j = json(r);
    assertEquals(2, j.get("accepted").asLong());
    assertEquals(1, j.get("duplicates").asLong());
    assertEquals(3, j.get("rejected").asLong());
    JsonNode results = j.get("results");
    assertEquals("accepted", results.get(0).get("status").asText());
    assertEquals("type", results.get(1).get("field").asText());
    assertTrue(results.get(1).get("reason").asText().contains("teleport"), results.get(1).toString());
    assertEquals("price", results.get(2).get("field").asText());
    assertEquals("accepted", results.get(3).get("status").asText());
    assertEquals("duplicate", results.get(4).get("status").asText());
    assertEquals("rejected", results.get(5).get("status").asText());

    JsonNode bob = json(node.get("/v1/profiles/bob"));
    assertEquals(25.0, bob.at("/spend/total").asDouble(), 1e-9);
    assertEquals(1, bob.at("/counts/lifetime/purchase").asLong());
    assertEquals("acme", bob.at("/interests/brands/0/id").asText());
    assertEquals("phone", bob.at("/context/last/device").asText());
  }

  @Test
  void malformedJsonIs400NamingTheBody() throws Exception {
    HttpResponse<String> r = node.send("POST", "/v1/events", "[{\"eventId\":");
    assertEquals(400, r.statusCode());
    assertEquals("body", json(r).get("field").asText());
  }

  @Test
  void deeplyNestedJsonIsRejected() throws Exception {
    HttpResponse<String> r = node.send("POST", "/v1/events", "[".repeat(5000) + "]".repeat(5000));
    assertEquals(400, r.statusCode());
  }

  @Test
  void anOversizedBodyIs413() throws Exception {
    String big = "[" + "{\"eventId\":\"x\"},".repeat(80_000) + "{}]";
    assertEquals(413, node.postOversized("/v1/events", big).statusCode());
  }

  @Test
  void tooManyEventsIs413() throws Exception {
    String many = "[" + "{},".repeat(1000) + "{}]";
    HttpResponse<String> r = node.send("POST", "/v1/events", many);
    assertEquals(413, r.statusCode());
    assertTrue(json(r).get("error").asText().contains("1000"));
  }

  @Test
  void anUnknownProfileIs404AndABadAsOfIs400() throws Exception {
    assertEquals(404, node.get("/v1/profiles/nobody-" + System.nanoTime()).statusCode());
    HttpResponse<String> r = node.get("/v1/profiles/alice?asOf=yesterday");
    assertEquals(400, r.statusCode());
    assertEquals("asOf", json(r).get("field").asText());
  }

  @Test
  void attributesAreSetReadAndValidated() throws Exception {
    HttpResponse<String> put = node.send("PUT", "/v1/profiles/carol/attributes", "{\"name\":\"Carol\",\"ageBand\":\"25-34\",\"vip\":true}");
    assertEquals(200, put.statusCode(), put.body());
    JsonNode carol = json(node.get("/v1/profiles/carol"));
    assertEquals("Carol", carol.at("/attributes/name").asText());
    assertEquals(true, carol.at("/attributes/vip").asBoolean());
    HttpResponse<String> bad = node.send("PUT", "/v1/profiles/carol/attributes", "{\"nested\":{\"a\":1}}");
    assertEquals(400, bad.statusCode());
    assertEquals("attributes.nested", json(bad).get("field").asText());
  }

  @Test
  void readsCanBeAsOfNow() throws Exception {
    node.send("POST", "/v1/events", "{\"eventId\":\"old1\",\"userId\":\"dave\",\"type\":\"cart\",\"timestamp\":\"2017-11-26T01:00:00Z\"}");
    JsonNode latest = json(node.get("/v1/profiles/dave"));
    assertEquals(1, latest.at("/counts/1h/cart").asLong(), "anchored to the latest event time by default");
    JsonNode now = json(node.get("/v1/profiles/dave?asOf=now"));
    assertEquals(0, now.at("/counts/1h/cart").asLong());
    assertEquals(1, now.at("/counts/lifetime/cart").asLong());
  }
}
