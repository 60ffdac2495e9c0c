package dev.profileengine.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.profileengine.data.BehaviorRow;
import dev.profileengine.gateway.replay.Replayer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Replays Taobao rows into the cluster the way a careful producer would: users are split over
 * {@code lanes} threads, each lane sends its rows in event-time order in batches, round-robin over
 * the nodes that are currently routable, and does not move on before every event of the batch is
 * acknowledged ({@code accepted} or {@code duplicate}). Unconfirmed events, 5xx answers and
 * connection failures are retried on the next node: de-duplication by event id makes that safe,
 * and retrying before sending later events keeps each user's events in time order. Every
 * acknowledgement goes to the {@link AckLedger}.
 */
final class ReplayClient {
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  /** A batch not acknowledged after this long is given up (the test then fails). */
  private static final Duration GIVE_UP_AFTER = Duration.ofSeconds(150);

  private final Supplier<List<String>> nodes;
  private final AckLedger ledger;
  private final int lanes;
  private final int batchSize;
  private final double maxEventsPerSecond;
  private final AtomicInteger roundRobin = new AtomicInteger();
  private final AtomicLong paceNanos = new AtomicLong();
  private final LongAdder requests = new LongAdder();
  private final LongAdder retries = new LongAdder();
  private final LongAdder failedRequests = new LongAdder();
  private final Map<String, LongAdder> failuresByKind = new java.util.concurrent.ConcurrentHashMap<>();
  private final List<Thread> threads = new ArrayList<>();
  /** One line per request: when, where, how many events, and what came back (for a failure's diagnosis). */
  private final java.util.Queue<String> trace = new java.util.concurrent.ConcurrentLinkedQueue<>();
  private volatile boolean stop;
  private volatile long startNanos;
  private volatile long endNanos;
  private final AtomicInteger running = new AtomicInteger();

  /** {@code maxEventsPerSecond <= 0}: as fast as the cluster answers. */
  ReplayClient(Supplier<List<String>> nodes, AckLedger ledger, int lanes, int batchSize, double maxEventsPerSecond) {
    this.nodes = nodes;
    this.ledger = ledger;
    this.lanes = lanes;
    this.batchSize = batchSize;
    this.maxEventsPerSecond = maxEventsPerSecond;
  }

  /** Starts the lanes over {@code rows} (in event-time order). */
  void start(List<BehaviorRow> rows) {
    List<List<BehaviorRow>> byLane = new ArrayList<>();
    for (int i = 0; i < lanes; i++) byLane.add(new ArrayList<>());
    for (BehaviorRow r : rows) byLane.get(Math.floorMod(r.userId().hashCode(), lanes)).add(r);
    startNanos = System.nanoTime();
    paceNanos.set(startNanos);
    running.set(lanes);
    for (int i = 0; i < lanes; i++) {
      List<BehaviorRow> laneRows = byLane.get(i);
      Thread t = new Thread(() -> {
        try {
          runLane(laneRows);
        } finally {
          if (running.decrementAndGet() == 0) endNanos = System.nanoTime();
        }
      }, "replay-lane-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
  }

  /** Lanes finish the batch in hand (until it is acknowledged) and send no more. */
  void stop() {
    stop = true;
  }

  boolean finished() {
    return running.get() == 0;
  }

  /** Waits for every lane to end; false on timeout. */
  boolean await(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Thread t : threads) {
      long left = deadline - System.nanoTime();
      if (left <= 0) return false;
      t.join(Math.max(1, left / 1_000_000));
      if (t.isAlive()) return false;
    }
    return true;
  }

  double elapsedSeconds() {
    long end = finished() ? endNanos : System.nanoTime();
    return (end - startNanos) / 1e9;
  }

  long requests() {
    return requests.sum();
  }

  long retries() {
    return retries.sum();
  }

  long failedRequests() {
    return failedRequests.sum();
  }

  Map<String, Long> failuresByKind() {
    Map<String, Long> m = new LinkedHashMap<>();
    failuresByKind.forEach((k, v) -> m.put(k, v.sum()));
    return m;
  }

  /** The request log, in the order the answers came. */
  List<String> trace() {
    return List.copyOf(trace);
  }

  private void runLane(List<BehaviorRow> rows) {
    for (int from = 0; from < rows.size() && !stop; from += batchSize) {
      List<BehaviorRow> batch = rows.subList(from, Math.min(rows.size(), from + batchSize));
      pace(batch.size());
      ledger.sent(batch);
      deliver(batch);
    }
  }

  /** Sends until every event of the batch is acknowledged (or rejected, or given up). */
  private void deliver(List<BehaviorRow> batch) {
    List<BehaviorRow> pending = new ArrayList<>(batch);
    long giveUpAt = System.nanoTime() + GIVE_UP_AFTER.toNanos();
    String lastError = "";
    int attempt = 0;
    while (!pending.isEmpty()) {
      if (attempt++ > 0) {
        retries.increment();
        sleep(Math.min(1000, 100L * attempt));
      }
      if (System.nanoTime() > giveUpAt) {
        for (BehaviorRow r : pending) ledger.gaveUp(r.eventId(), lastError);
        return;
      }
      List<String> urls = nodes.get();
      if (urls.isEmpty()) {
        lastError = "no routable node";
        continue;
      }
      String url = urls.get(Math.floorMod(roundRobin.getAndIncrement(), urls.size()));
      ArrayNode body = Http.JSON.createArrayNode();
      pending.forEach(r -> body.add(Replayer.toJson(r)));
      byte[] bytes;
      try {
        bytes = Http.JSON.writeValueAsBytes(body);
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
      requests.increment();
      long sentAt = System.nanoTime();
      Http.Response resp = Http.postJson(url + "/v1/events", bytes, REQUEST_TIMEOUT);
      String request = String.format("%.3f-%.3f s %s %s %d events %s..%s -> %d", (sentAt - startNanos) / 1e9, (System.nanoTime() - startNanos) / 1e9,
          Thread.currentThread().getName(), url, pending.size(), pending.get(0).eventId(), pending.get(pending.size() - 1).eventId(), resp.status());
      JsonNode json = (resp.status() == 200 || resp.status() == 503) ? resp.json() : null;
      if (json == null || !json.path("results").isArray()) {
        trace.add(request + " " + abbreviate(resp.body()));
        failedRequests.increment();
        String kind = resp.status() == -1 ? resp.body().replaceAll(":.*", "") : "HTTP " + resp.status();
        failuresByKind.computeIfAbsent(kind, k -> new LongAdder()).increment();
        lastError = url + " -> " + resp.status() + " " + abbreviate(resp.body());
        continue;
      }
      if (resp.status() == 503) failuresByKind.computeIfAbsent("HTTP 503 (some unconfirmed)", k -> new LongAdder()).increment();
      Map<String, JsonNode> byId = new LinkedHashMap<>();
      json.path("results").forEach(r -> byId.put(r.path("eventId").asText(), r));
      List<BehaviorRow> still = new ArrayList<>();
      int unconfirmed = 0;
      for (BehaviorRow r : pending) {
        JsonNode result = byId.get(r.eventId());
        String status = result == null ? "missing" : result.path("status").asText();
        switch (status) {
          case "accepted", "duplicate" -> ledger.acked(r.eventId(), status);
          case "rejected" -> ledger.rejected(r.eventId(), result.toString());
          default -> {
            unconfirmed++;
            still.add(r);
          }
        }
      }
      Map<String, Integer> statuses = new java.util.TreeMap<>();
      byId.values().forEach(r -> statuses.merge(r.path("status").asText(), 1, Integer::sum));
      trace.add(request + " " + statuses + (still.isEmpty() ? "" : " unconfirmed " + still.stream().map(BehaviorRow::eventId).toList()));
      if (unconfirmed > 0) {
        ledger.unconfirmed(unconfirmed);
        lastError = url + " -> " + unconfirmed + " unconfirmed";
      }
      pending = still;
    }
  }

  /** A shared token schedule: at most {@code maxEventsPerSecond} events handed out per second over all lanes. */
  private void pace(int events) {
    if (maxEventsPerSecond <= 0) return;
    long cost = (long) (events * 1e9 / maxEventsPerSecond);
    long now = System.nanoTime();
    // No catching up after a stall (a failover): the schedule restarts from now.
    long slot = Math.max(now, paceNanos.getAndUpdate(p -> Math.max(p, now) + cost));
    long wait = slot - now;
    if (wait > 0) sleep(wait / 1_000_000);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static String abbreviate(String s) {
    return s == null ? "" : s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }
}
