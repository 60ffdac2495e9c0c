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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One API key's big batches do not queue another key's events behind them: on a real node, six
 * clients of one key keep batches of 1,000 events of new users in flight while another key sends
 * single events one after the other; those are answered in a fraction of a big batch's time (first
 * come, first served, they waited behind thousands: p90 about 0.4 of a batch's time beside a
 * replay, about 1 s).
 */
class IngestFairnessTest {
  private static final String HEAVY = "fair-heavy-5d2e8a1c7f3b9e4d6a0c8f2b5e1d7a3c";
  private static final String LIGHT = "fair-light-9a4c2e7f1d5b8a3e6c0d9f2a7b4e1c8d";
  private static final int CLIENTS = 6;
  private static final int BATCH = 1000;
  private static final int LIGHT_EVENTS = 40;

  @TempDir
  static Path dataDir;
  static TestNode node;
  static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() {
    node = TestNode.start(dataDir, Map.of("profile.http.api-keys-env", HEAVY + "=ingest," + LIGHT + "=ingest", "profile.model.enabled", false,
        // Not what is tested: the heavy key's batches stay admitted however slow the machine (a refused one is resent).
        "profile.http.admission.events.latency-target", "60s"));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static CompletableFuture<HttpResponse<String>> post(String key, String body) {
    return client.sendAsync(HttpRequest.newBuilder(node.base.resolve("/v1/events")).timeout(Duration.ofSeconds(60))
        .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String event(String id, String user, long at) {
    return "{\"eventId\":\"%s\",\"userId\":\"%s\",\"type\":\"view\",\"timestamp\":%d,\"itemId\":\"i1\",\"categoryId\":\"c1\"}".formatted(id, user, at);
  }

  private static void assertAllAccepted(HttpResponse<String> r, int events) throws Exception {
    assertEquals(200, r.statusCode(), r.body());
    JsonNode j = Json.MAPPER.readTree(r.body());
    assertEquals(events, j.get("accepted").asInt(), r.body());
  }

  /** A client of the heavy key: posts batches of BATCH events of new users, one after the other, until {@code stop}; times each. */
  private static CompletableFuture<Void> heavyClient(AtomicBoolean stop, List<Long> millis, AtomicInteger batches, long at,
                                                     AtomicInteger refusals) {
    int b = batches.getAndIncrement();
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < BATCH; i++) s.append(i == 0 ? "" : ",").append(event("h-" + b + "-" + i, "fair-u" + b + "-" + i, at + i));
    long sent = System.nanoTime();
    return accepted(s.append(']').toString(), refusals).thenCompose(r -> {
      try {
        assertAllAccepted(r, BATCH);
      } catch (Exception | AssertionError e) {
        return CompletableFuture.failedFuture(e);
      }
      millis.add((System.nanoTime() - sent) / 1_000_000);
      return stop.get() ? CompletableFuture.completedFuture(null) : heavyClient(stop, millis, batches, at, refusals);
    });
  }

  /** Posts a heavy batch until it is not refused (503), each time after the Retry-After it was given, as a client must. */
  private static CompletableFuture<HttpResponse<String>> accepted(String body, AtomicInteger refusals) {
    return post(HEAVY, body).thenCompose(r -> {
      if (r.statusCode() != 503) return CompletableFuture.completedFuture(r);
      refusals.incrementAndGet();
      long seconds = Long.parseLong(r.headers().firstValue("Retry-After").orElse("1"));
      return CompletableFuture.supplyAsync(() -> body, CompletableFuture.delayedExecutor(seconds, java.util.concurrent.TimeUnit.SECONDS))
          .thenCompose(b -> accepted(b, refusals));
    });
  }

  private static long percentile(List<Long> values, double p) {
    List<Long> sorted = values.stream().sorted().toList();
    return sorted.get(Math.min(sorted.size() - 1, (int) (p * sorted.size())));
  }

  @Test
  void anotherKeysEventsAreAnsweredAheadOfOneKeysQueueOfBigBatches() throws Exception {
    long at = Instant.now().minusSeconds(60).toEpochMilli();
    AtomicBoolean stop = new AtomicBoolean();
    List<Long> heavyMillis = java.util.Collections.synchronizedList(new ArrayList<>());
    AtomicInteger batches = new AtomicInteger();
    List<CompletableFuture<Void>> heavy = new ArrayList<>();
    AtomicInteger refusals = new AtomicInteger();
    for (int c = 0; c < CLIENTS; c++) heavy.add(heavyClient(stop, heavyMillis, batches, at, refusals));
    // The node is under the heavy key's load once each of its clients has had a batch answered.
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (heavyMillis.size() < CLIENTS && System.nanoTime() < deadline) java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
    heavyMillis.clear();
    List<Long> lightMillis = new ArrayList<>();
    for (int i = 0; i < LIGHT_EVENTS; i++) {
      long sent = System.nanoTime();
      assertAllAccepted(post(LIGHT, "[" + event("light-" + i, "fair-light-" + i, at) + "]").get(), 1);
      lightMillis.add((System.nanoTime() - sent) / 1_000_000);
    }
    stop.set(true);
    for (var h : heavy) h.get(); // every heavy batch accepted too
    long lightP90 = percentile(lightMillis, 0.9);
    long heavyP50 = percentile(heavyMillis, 0.5);
    System.out.println("fairness: light p50 " + percentile(lightMillis, 0.5) + " p90 " + lightP90 + " ms; heavy batches p50 " + heavyP50 + " ms ("
        + heavyMillis.size() + " batches, " + refusals.get() + " refused and resent)");
    assertTrue(heavyMillis.size() >= CLIENTS, "the heavy key's batches were answered meanwhile: " + heavyMillis);
    assertTrue(lightP90 * 5 < heavyP50, "the light key's events waited behind the heavy key's: p90 " + lightP90 + " ms, the heavy batches' p50 " + heavyP50
        + " ms; light " + lightMillis);
  }
}
