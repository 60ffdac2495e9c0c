package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profileengine.gateway.wire.Json;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Admission control over a real node and real HTTP clients: a node bounded to 60 events and 4
 * reads in flight is sent bursts far beyond that. Refused batches answer 503 with Retry-After at
 * once, store nothing, keep their invalid events' errors, and once resent every event counts
 * exactly once.
 */
class AdmissionControlTest {
  @TempDir
  static Path dataDir;
  static TestNode node;
  static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() {
    node = TestNode.start(dataDir, Map.of(
        "profile.http.admission.events.max", 60,
        "profile.http.admission.events.min", 60,
        "profile.http.admission.reads.max", 4,
        "profile.http.admission.reads.min", 4,
        "profile.model.enabled", false));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static CompletableFuture<HttpResponse<String>> post(String body) {
    return client.sendAsync(HttpRequest.newBuilder(node.base.resolve("/v1/events")).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Batch {@code b}: 40 events of 20 new users plus one invalid event. */
  private static String batch(int b, long now) {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < 40; i++) {
      s.append("{\"eventId\":\"adm-%d-%d\",\"userId\":\"adm-u%d-%d\",\"type\":\"view\",\"timestamp\":%d,\"itemId\":\"i%d\",\"categoryId\":\"c%d\"},"
          .formatted(b, i, b, i % 20, now - 1000 + i, i, i % 3));
    }
    return s.append("{\"eventId\":\"adm-bad-%d\",\"userId\":\"adm-u%d-0\",\"type\":\"teleport\",\"timestamp\":%d}]".formatted(b, b, now)).toString();
  }

  @Test
  void aBurstBeyondTheBoundIsShedAtOnceAndCountedOnceWhenResent() throws Exception {
    long now = Instant.now().toEpochMilli();
    Map<Integer, String> pendingBatches = new HashMap<>();
    for (int b = 0; b < 24; b++) pendingBatches.put(b, batch(b, now));
    int shed = 0;
    int rounds = 0;
    while (!pendingBatches.isEmpty() && rounds++ < 100) {
      Map<Integer, CompletableFuture<HttpResponse<String>>> sent = new HashMap<>();
      pendingBatches.forEach((b, body) -> sent.put(b, post(body)));
      for (var e : sent.entrySet()) {
        HttpResponse<String> r = e.getValue().get();
        JsonNode j = Json.MAPPER.readTree(r.body());
        JsonNode results = j.get("results");
        assertEquals(41, results.size(), r.body());
        assertEquals("rejected", results.get(40).get("status").asText(), "the invalid event keeps its error: " + r.body());
        assertEquals("type", results.get(40).get("field").asText());
        if (r.statusCode() == 200) {
          assertEquals(1, j.get("rejected").asLong());
          assertEquals(40, j.get("accepted").asLong() + j.get("duplicates").asLong(), r.body());
          pendingBatches.remove(e.getKey());
        } else {
          assertEquals(503, r.statusCode(), r.body());
          if (j.get("accepted").asLong() == 0 && j.get("unconfirmed").asLong() == 40
              && results.get(0).get("reason").asText().contains("node overloaded")) {
            shed++;
            assertEquals("1", r.headers().firstValue("Retry-After").orElse(""), "a shed batch says when to retry");
          }
        }
      }
    }
    assertTrue(pendingBatches.isEmpty(), "every batch acknowledged after resending: " + pendingBatches.keySet());
    assertTrue(shed > 0, "24 concurrent batches of 40 events against a bound of 60 must shed some");
    // Exactly once: each user got 2 events of its batch, whatever was refused and resent.
    for (int b = 0; b < 24; b++) {
      for (int u = 0; u < 20; u++) {
        HttpResponse<String> r = node.get("/v1/profiles/adm-u" + b + "-" + u);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(2, Json.MAPPER.readTree(r.body()).get("eventCount").asLong(), "adm-u" + b + "-" + u);
      }
    }
    String metrics = node.get("/metrics").body();
    assertTrue(metrics.contains("profile_admission_refused_total{kind=\"events\"}"), "refusals are counted");
    assertTrue(metrics.contains("profile_admission_in_flight{kind=\"events\"} 0.0"), "nothing left in flight");
  }

  @Test
  void theReplayClientWaitsOutRefusalsAndLosesNoBatch() throws Exception {
    long start = Instant.now().minusSeconds(600).getEpochSecond();
    List<dev.profileengine.data.BehaviorRow> rows = new ArrayList<>();
    for (int i = 0; i < 1_200; i++) {
      rows.add(new dev.profileengine.data.BehaviorRow("rp-u" + (i % 300), "i" + i, "c" + (i % 7),
          dev.profileengine.profile.BehaviorType.VIEW, start + i / 300, null, null));
    }
    // 4 lanes of 100 events against a bound of 60: most batches are refused at first, and only 2
    // attempts are allowed for failures, so a batch survives only by waiting out its refusals.
    dev.profileengine.gateway.replay.Replayer.Progress p = new dev.profileengine.gateway.replay.Replayer(
        new dev.profileengine.gateway.replay.Replayer.Options(node.base, 100, 4, 2, null)).run(rows, x -> {});
    assertEquals(0, p.failedBatches(), p.toString());
    assertEquals(1_200, p.accepted() + p.duplicates(), p.toString());
    assertTrue(p.retries() > 0, "some batches were refused and resent: " + p);
    for (int u = 0; u < 300; u += 37) {
      assertEquals(4, Json.MAPPER.readTree(node.get("/v1/profiles/rp-u" + u).body()).get("eventCount").asLong(), "rp-u" + u);
    }
  }

  /**
   * Reads that must ask an entity (profiles stored but hosted nowhere, as after a restart: each
   * read starts an entity and recovers it) are bounded: beyond the bound they are 503 with
   * Retry-After and the rest answer. Reads of profiles hosted on the node need no entity message
   * and are never refused. (Ids never written are answered from the journal's known ids.)
   */
  @Test
  void readsBeyondTheBoundAre503WithRetryAfterAndTheRestAnswer() throws Exception {
    Path dir = dataDir.resolve("reads-after-restart");
    Map<String, Object> bounds = Map.of("profile.http.admission.reads.max", 4, "profile.http.admission.reads.min", 4,
        "profile.model.enabled", false);
    int users = 400;
    try (TestNode first = TestNode.start(dir, bounds)) {
      long now = Instant.now().toEpochMilli();
      StringBuilder s = new StringBuilder("[");
      for (int u = 0; u < users; u++) {
        s.append(u == 0 ? "" : ",").append("{\"eventId\":\"rd-%d\",\"userId\":\"rd-u%d\",\"type\":\"view\",\"timestamp\":%d}".formatted(u, u, now));
      }
      HttpResponse<String> written = first.send("POST", "/v1/events", s.append("]").toString());
      assertEquals(200, written.statusCode(), written.body());
    }
    try (TestNode cold = TestNode.start(dir, bounds)) {
      int refused = 0;
      int served = 0;
      List<Integer> answered = new ArrayList<>();
      for (int round = 0; round < users / 200 && refused == 0; round++) {
        int from = round * 200;
        List<HttpResponse<String>> answers = concurrentReads(cold, 200, i -> "/v1/profiles/rd-u" + (from + i));
        for (int i = 0; i < answers.size(); i++) {
          HttpResponse<String> r = answers.get(i);
          if (r.statusCode() == 200) {
            served++;
            answered.add(from + i);
          } else {
            assertEquals(503, r.statusCode(), r.body());
            assertTrue(r.body().contains("node overloaded") && r.body().contains("reads in flight"), r.body());
            assertEquals("1", r.headers().firstValue("Retry-After").orElse(""));
            refused++;
          }
        }
      }
      assertTrue(served > 0);
      assertTrue(refused > 0, "200 concurrent reads against a bound of 4 must refuse some");
      for (HttpResponse<String> r : concurrentReads(cold, answered.size(), i -> "/v1/profiles/rd-u" + answered.get(i))) {
        assertEquals(200, r.statusCode(), "a hosted profile is read without asking its entity: " + r.body());
      }
    }
  }

  private List<HttpResponse<String>> concurrentReads(TestNode on, int n, java.util.function.IntFunction<String> path) throws Exception {
    List<CompletableFuture<HttpResponse<String>>> reads = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      reads.add(client.sendAsync(HttpRequest.newBuilder(on.base.resolve(path.apply(i))).GET().build(), HttpResponse.BodyHandlers.ofString()));
    }
    List<HttpResponse<String>> answers = new ArrayList<>();
    for (CompletableFuture<HttpResponse<String>> f : reads) answers.add(f.get());
    return answers;
  }
}
