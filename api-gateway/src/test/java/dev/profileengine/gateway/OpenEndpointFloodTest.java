package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.profileengine.data.BehaviorRow;
import dev.profileengine.data.SampleFiles;
import dev.profileengine.data.TaobaoCsv;
import dev.profileengine.gateway.replay.Replayer;
import dev.profileengine.gateway.wire.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /metrics} and {@code /ready} cost no query: a flood of them (8 threads) during an ingest of
 * real Taobao rows leaves the journal alone (no 503, nothing unconfirmed, so no breaker opened) and
 * runs at most one readiness probe per refresh interval.
 */
class OpenEndpointFloodTest {
  private static final int LANES = 4;
  private static final int BATCH = 50;
  private static final int ROWS_PER_RUN = 20_000;

  @TempDir
  static Path dataDir;
  static TestNode node;
  static List<BehaviorRow> rows;
  static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start(dataDir);
    rows = TaobaoCsv.read(SampleFiles.find("taobao-userbehavior-sample.csv"), bad -> {
      throw new AssertionError("unreadable line " + bad);
    });
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  /** What one ingest run saw: each request's latency (ms) and anything not acknowledged as stored. */
  record Run(List<Double> latenciesMs, long unconfirmed, long notOk) {
    double p(double q) {
      List<Double> sorted = new ArrayList<>(latenciesMs);
      Collections.sort(sorted);
      return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(q * sorted.size()) - 1));
    }
  }

  /** Ingests {@code slice} in batches over {@link #LANES} lanes (each user's rows in order in one lane). */
  private static Run ingest(List<BehaviorRow> slice) throws Exception {
    List<List<BehaviorRow>> lanes = new ArrayList<>();
    for (int i = 0; i < LANES; i++) lanes.add(new ArrayList<>());
    for (BehaviorRow r : slice) lanes.get(Math.floorMod(r.userId().hashCode(), LANES)).add(r);
    ConcurrentLinkedQueue<Double> latencies = new ConcurrentLinkedQueue<>();
    AtomicLong unconfirmed = new AtomicLong();
    AtomicLong notOk = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(LANES);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (List<BehaviorRow> lane : lanes) {
        done.add(pool.submit(() -> {
          for (int from = 0; from < lane.size(); from += BATCH) {
            ArrayNode body = Json.MAPPER.createArrayNode();
            lane.subList(from, Math.min(lane.size(), from + BATCH)).forEach(r -> body.add(Replayer.toJson(r)));
            HttpRequest req = HttpRequest.newBuilder(node.base.resolve("/v1/events")).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body))).build();
            long start = System.nanoTime();
            HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
            latencies.add((System.nanoTime() - start) / 1e6);
            if (r.statusCode() != 200) notOk.incrementAndGet();
            JsonNode answer = Json.MAPPER.readTree(r.body());
            unconfirmed.addAndGet(answer.path("unconfirmed").asLong());
          }
          return null;
        }));
      }
      for (Future<?> f : done) f.get();
    } finally {
      pool.shutdownNow();
    }
    return new Run(new ArrayList<>(latencies), unconfirmed.get(), notOk.get());
  }

  private static long metric(String text, String name) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + " ([0-9.eE+]+)$").matcher(text);
    assertTrue(m.find(), name + " in /metrics");
    return (long) Double.parseDouble(m.group(1));
  }

  @Test
  void aFloodOfMetricsAndReadyDuringIngestCostsNoQueryAndNoAcknowledgements() throws Exception {
    ingest(rows.subList(0, 5_000)); // warm up the JIT and the journal
    Run quiet = ingest(rows.subList(5_000, 5_000 + ROWS_PER_RUN));

    String before = node.get("/metrics").body();
    long probesBefore = metric(before, "profile_background_loads_total{value=\"readiness\"}");
    long countsBefore = metric(before, "profile_background_loads_total{value=\"segment_counts\"}");
    AtomicBoolean flooding = new AtomicBoolean(true);
    AtomicLong floodRequests = new AtomicLong();
    AtomicLong notReady = new AtomicLong();
    ExecutorService flood = Executors.newFixedThreadPool(8);
    List<Future<?>> flooders = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      String path = t % 2 == 0 ? "/metrics" : "/ready";
      flooders.add(flood.submit(() -> {
        HttpRequest req = HttpRequest.newBuilder(URI.create(node.base + path)).timeout(Duration.ofSeconds(30)).GET().build();
        while (flooding.get()) {
          HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
          floodRequests.incrementAndGet();
          if (r.statusCode() != 200) notReady.incrementAndGet();
        }
        return null;
      }));
    }
    long floodStart = System.nanoTime();
    Run flooded;
    try {
      flooded = ingest(rows.subList(5_000 + ROWS_PER_RUN, 5_000 + 2 * ROWS_PER_RUN));
    } finally {
      flooding.set(false);
      for (Future<?> f : flooders) f.get();
      flood.shutdownNow();
    }
    double floodSeconds = (System.nanoTime() - floodStart) / 1e9;
    String after = node.get("/metrics").body();
    long probes = metric(after, "profile_background_loads_total{value=\"readiness\"}") - probesBefore;
    long counts = metric(after, "profile_background_loads_total{value=\"segment_counts\"}") - countsBefore;

    System.out.printf(Locale.ROOT, "open-endpoint flood: %d requests to /metrics + /ready in %.1f s (%d not 200); readiness probes %d, segment counts %d%n",
        floodRequests.get(), floodSeconds, notReady.get(), probes, counts);
    System.out.printf(Locale.ROOT, "ingest ack latency (%d requests of %d events each run): without flood p50 %.1f ms p99 %.1f ms; with flood p50 %.1f ms p99 %.1f ms%n",
        quiet.latenciesMs().size(), BATCH, quiet.p(0.5), quiet.p(0.99), flooded.p(0.5), flooded.p(0.99));

    for (Run run : List.of(quiet, flooded)) {
      assertEquals(0, run.notOk(), "every ingest request answered 200 (no 503 from the journal or admission)");
      assertEquals(0, run.unconfirmed(), "every event confirmed: the journal's breaker never opened");
    }
    assertEquals(0, notReady.get(), "/ready and /metrics answered 200 throughout");
    assertTrue(floodRequests.get() > 1_000, "a flood: " + floodRequests.get());
    // one probe per 2 s refresh interval (plus the one in flight at each end), whatever the request count
    assertTrue(probes <= floodSeconds / 2 + 2, probes + " readiness probes in " + floodSeconds + " s");
    assertTrue(counts <= floodSeconds / 15 + 2, counts + " segment count queries in " + floodSeconds + " s");
    // 2x of the quiet run, plus 50 ms for what 8 busy client threads in this JVM take from a 2-core box
    assertTrue(flooded.p(0.99) <= 2 * quiet.p(0.99) + 50,
        "ack p99 with the flood " + flooded.p(0.99) + " ms vs without " + quiet.p(0.99) + " ms");
  }
}
