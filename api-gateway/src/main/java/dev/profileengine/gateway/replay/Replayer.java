package dev.profileengine.gateway.replay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.profileengine.data.BehaviorRow;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Streams behavior rows to {@code POST /v1/events} in batches with bounded concurrency. A batch
 * that fails (connection error, 5xx) is retried with back-off; retries are safe because event ids
 * are derived from the rows and the engine deduplicates them. A batch that still fails, or is
 * refused for good (a 4xx such as a wrong API key), stops the replay: no later batch is sent, so
 * no user's later rows are stored past a hole in their history (see {@link #stoppedBy()}).
 */
public final class Replayer {
  /** How to replay. */
  /**
   * @param anonymousUntil null, or an instant before which each row is sent under the anonymous id
   *     {@code anon-<userId>} alone and from which with its user id and that anonymous id (a shopper
   *     who logs in then: the engine links the two)
   */
  /**
   * @param eventsPerSecond 0 (as fast as the node answers), or the rate the batches are started at:
   *     a batch starts no earlier than the rows before it take at that rate, counted from the start
   */
  public record Options(URI baseUrl, int batchSize, int concurrency, int maxAttempts, String apiKey, java.time.Instant anonymousUntil,
                        double eventsPerSecond) {
    public Options {
      if (!(eventsPerSecond >= 0)) throw new IllegalArgumentException("eventsPerSecond must be >= 0: " + eventsPerSecond);
    }

    public Options(URI baseUrl, int batchSize, int concurrency, int maxAttempts, String apiKey, java.time.Instant anonymousUntil) {
      this(baseUrl, batchSize, concurrency, maxAttempts, apiKey, anonymousUntil, 0);
    }

    public Options(URI baseUrl, int batchSize, int concurrency, int maxAttempts, String apiKey) {
      this(baseUrl, batchSize, concurrency, maxAttempts, apiKey, null, 0);
    }

    public static Options defaults(URI baseUrl) {
      return new Options(baseUrl, 500, 4, 8, null);
    }
  }

  /** Running totals; a snapshot is handed to the progress callback. */
  public record Progress(long rowsSent, long totalRows, long accepted, long duplicates, long rejected, long unconfirmed,
                         long failedBatches, long retries, double seconds) {
    public double eventsPerSecond() {
      return seconds <= 0 ? 0 : rowsSent / seconds;
    }

    public String line() {
      return String.format("replayed %,d/%,d rows  %,.0f events/s  accepted %,d  duplicates %,d  rejected %,d  unconfirmed %,d  retries %,d  failed batches %,d",
          rowsSent, totalRows, eventsPerSecond(), accepted, duplicates, rejected, unconfirmed, retries, failedBatches);
    }
  }

  private final Options options;
  private final HttpClient client;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong duplicates = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final AtomicLong unconfirmed = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();
  private final List<String> rejections = java.util.Collections.synchronizedList(new ArrayList<>());
  private final AckLatencies acks = new AckLatencies();
  private volatile String stoppedBy;
  private long startNanos;
  private long total;

  /** The replay client's own mapper: it writes plain events and reads the ingest answer's counts. */
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

  private static byte[] bytes(ArrayNode body) {
    try {
      return JSON.writeValueAsBytes(body);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public Replayer(Options options) {
    this.options = options;
    this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  }

  /** The engine's JSON for one row: timestamp in epoch milliseconds, the row's deterministic id. */
  public static ObjectNode toJson(BehaviorRow row) {
    return toJson(row, null);
  }

  /** As {@link #toJson(BehaviorRow)}, identified as {@link Options#anonymousUntil} says. */
  public static ObjectNode toJson(BehaviorRow row, java.time.Instant anonymousUntil) {
    ObjectNode e = JSON.createObjectNode();
    e.put("eventId", row.eventId());
    if (anonymousUntil == null) {
      e.put("userId", row.userId());
    } else {
      if (row.epochSecond() >= anonymousUntil.getEpochSecond()) e.put("userId", row.userId());
      e.put("anonymousId", "anon-" + row.userId());
    }
    e.put("type", row.type().wire());
    e.put("timestamp", row.epochSecond() * 1000);
    e.put("itemId", row.itemId());
    e.put("categoryId", row.categoryId());
    if (row.brand() != null) e.put("brand", row.brand());
    if (row.price() != null) e.put("price", row.price());
    return e;
  }

  /**
   * Replays all rows; calls {@code onProgress} about every second. Rows are split by user into
   * {@code concurrency} lanes that send their batches one after the other, so each user's events
   * arrive in file order (a user's history is never overtaken by its own later events, which
   * would make them too late) while the lanes run in parallel. The batches in flight start at one
   * and grow by one (up to the lanes) each time a batch is answered within {@link #RAMP_UP_LATENCY},
   * so a node that is cold or slow is not handed more than it answers promptly (more would wait in
   * its queue, be refused by its admission control, a retry, or time out). A free slot goes to the
   * idle lane with the most rows left, so the lanes end together rather than one finishing alone.
   * With {@link Options#eventsPerSecond} a batch also waits until its first row's turn at that rate.
   */
  public Progress run(List<BehaviorRow> rows, Consumer<Progress> onProgress) throws InterruptedException {
    total = rows.size();
    startNanos = System.nanoTime();
    int lanes = options.concurrency();
    List<List<BehaviorRow>> byLane = new ArrayList<>(lanes);
    for (int i = 0; i < lanes; i++) byLane.add(new ArrayList<>());
    for (BehaviorRow r : rows) byLane.get(Math.floorMod(r.userId().hashCode(), lanes)).add(r);
    Window window = new Window(byLane);
    window.pump();
    CompletableFuture<Void> all = window.done;
    while (!all.isDone()) {
      try {
        all.get(1, java.util.concurrent.TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        onProgress.accept(progress());
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IllegalStateException("replay failed: " + e.getCause(), e.getCause());
      }
    }
    Progress done = progress();
    onProgress.accept(done);
    return done;
  }

  /** An answer within this lets the replay have one more batch in flight. */
  static final java.time.Duration RAMP_UP_LATENCY = java.time.Duration.ofSeconds(2);

  /** The batches in flight, one per lane at most: see {@link #run}. */
  private final class Window {
    private final List<List<BehaviorRow>> lanes;
    private final int[] next;
    private final boolean[] busy;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private int size = 1;
    private int inFlight;
    /** Rows of the batches started so far: a paced batch's turn. */
    private long rowsStarted;

    Window(List<List<BehaviorRow>> lanes) {
      this.lanes = lanes;
      this.next = new int[lanes.size()];
      this.busy = new boolean[lanes.size()];
    }

    /** Sends batches while the window has room and an idle lane has rows left; completes when all are answered. */
    void pump() {
      List<long[]> sends = new ArrayList<>();
      synchronized (this) {
        while (inFlight < size && stoppedBy == null) {
          int lane = idleLaneWithMostLeft();
          if (lane < 0) break;
          int from = next[lane];
          next[lane] = Math.min(lanes.get(lane).size(), from + options.batchSize());
          busy[lane] = true;
          inFlight++;
          long due = options.eventsPerSecond() > 0 ? startNanos + (long) (rowsStarted * 1e9 / options.eventsPerSecond()) : 0;
          rowsStarted += next[lane] - from;
          sends.add(new long[] {lane, from, next[lane], due});
        }
        if (inFlight == 0 && (stoppedBy != null || idleLaneWithMostLeft() < 0)) done.complete(null);
      }
      for (long[] s : sends) {
        int lane = (int) s[0];
        List<BehaviorRow> batch = lanes.get(lane).subList((int) s[1], (int) s[2]);
        long wait = s[3] - System.nanoTime();
        if (s[3] == 0 || wait <= 0) send(lane, batch);
        else CompletableFuture.delayedExecutor(wait, java.util.concurrent.TimeUnit.NANOSECONDS).execute(() -> send(lane, batch));
      }
    }

    private int idleLaneWithMostLeft() {
      int best = -1;
      for (int i = 0; i < lanes.size(); i++) {
        int left = lanes.get(i).size() - next[i];
        if (!busy[i] && left > 0 && (best < 0 || left > lanes.get(best).size() - next[best])) best = i;
      }
      return best;
    }

    private void send(int lane, List<BehaviorRow> batch) {
      ArrayNode body = JSON.createArrayNode();
      batch.forEach(r -> body.add(toJson(r, options.anonymousUntil())));
      long sentAt = System.nanoTime();
      Replayer.this.send(bytes(body), batch.size(), 1).whenComplete((v, e) -> {
        synchronized (this) {
          busy[lane] = false;
          inFlight--;
          if (e == null && System.nanoTime() - sentAt <= RAMP_UP_LATENCY.toNanos()) size = Math.min(lanes.size(), size + 1);
        }
        if (e == null) acks.record(System.nanoTime() - sentAt);
        if (e != null) done.completeExceptionally(e);
        else pump();
      });
    }
  }

  public Progress progress() {
    return new Progress(sent.get(), total, accepted.get(), duplicates.get(), rejected.get(), unconfirmed.get(), failed.get(), retries.get(),
        (System.nanoTime() - startNanos) / 1e9);
  }

  /** Each batch's time from its POST to its acknowledgement (a paced batch counted from when it was sent). */
  public AckLatencies.Summary ackLatency() {
    return acks.summary();
  }

  /** Why the replay stopped before its last row: the batch that failed for good; empty when it did not. */
  public java.util.Optional<String> stoppedBy() {
    return java.util.Optional.ofNullable(stoppedBy);
  }

  /** The first rejection reasons seen (at most 20), for the operator. */
  public List<String> sampleRejections() {
    synchronized (rejections) {
      return List.copyOf(rejections);
    }
  }

  /** Refusals with Retry-After (an overloaded node's admission control, a rate limit) a batch may wait out. */
  static final int MAX_REFUSALS = 300;

  private CompletableFuture<Void> send(byte[] body, int events, int attempt) {
    return send(body, events, attempt, 0);
  }

  /**
   * A refusal with Retry-After stored nothing and says when to come back: it is waited out (up to
   * {@link #MAX_REFUSALS} times) without using up the attempts, which are for failures.
   */
  private CompletableFuture<Void> send(byte[] body, int events, int attempt, int refusals) {
    HttpRequest.Builder req = HttpRequest.newBuilder(options.baseUrl().resolve("/v1/events"))
        .timeout(Duration.ofSeconds(60))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (options.apiKey() != null) req.header("Authorization", "Bearer " + options.apiKey());
    return client.sendAsync(req.build(), HttpResponse.BodyHandlers.ofByteArray())
        .handle((resp, error) -> {
          if (error == null && resp.statusCode() == 200) {
            count(resp.body(), events);
            return CompletableFuture.<Void>completedFuture(null);
          }
          if (error == null) unconfirmed.addAndGet(unconfirmedIn(resp.body()));
          boolean retryable = error != null || resp.statusCode() >= 500 || resp.statusCode() == 429;
          java.util.OptionalLong retryAfter = error == null ? retryAfterSeconds(resp) : java.util.OptionalLong.empty();
          if (retryable && retryAfter.isPresent() && refusals < MAX_REFUSALS) {
            retries.incrementAndGet();
            long wait = retryAfter.getAsLong() * 1000 + java.util.concurrent.ThreadLocalRandom.current().nextLong(250);
            return later(wait, () -> send(body, events, attempt, refusals + 1));
          }
          if (retryable && attempt < options.maxAttempts()) {
            retries.incrementAndGet();
            return later(Math.min(5_000, 100L << Math.min(attempt, 6)), () -> send(body, events, attempt + 1, refusals));
          }
          failed.incrementAndGet();
          String why = "a batch of " + events + " rows failed after " + attempt + (attempt == 1 ? " attempt: " : " attempts: ")
              + (error != null ? error.toString() : "HTTP " + resp.statusCode() + " " + new String(resp.body(), java.nio.charset.StandardCharsets.UTF_8));
          if (stoppedBy == null) stoppedBy = why;
          note(why);
          return CompletableFuture.<Void>completedFuture(null);
        })
        .thenCompose(f -> f);
  }

  private static CompletableFuture<Void> later(long millis, java.util.function.Supplier<CompletableFuture<Void>> resend) {
    return CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(millis, java.util.concurrent.TimeUnit.MILLISECONDS))
        .thenCompose(x -> resend.get());
  }

  private static java.util.OptionalLong retryAfterSeconds(HttpResponse<byte[]> resp) {
    try {
      return resp.headers().firstValue("Retry-After").map(v -> java.util.OptionalLong.of(Math.max(0, Long.parseLong(v.strip()))))
          .orElse(java.util.OptionalLong.empty());
    } catch (NumberFormatException e) {
      return java.util.OptionalLong.empty(); // an HTTP date: treated as a plain failure
    }
  }

  /** Events a refused or partly failed batch reports unconfirmed (not known to be stored: timed out, or shed). */
  private static long unconfirmedIn(byte[] responseBody) {
    try {
      return JSON.readTree(responseBody).path("unconfirmed").asLong();
    } catch (java.io.IOException e) {
      return 0;
    }
  }

  private void count(byte[] responseBody, int events) {
    try {
      JsonNode r = JSON.readTree(responseBody);
      sent.addAndGet(events);
      accepted.addAndGet(r.path("accepted").asLong());
      duplicates.addAndGet(r.path("duplicates").asLong());
      long rej = r.path("rejected").asLong();
      rejected.addAndGet(rej);
      if (rej > 0) {
        for (JsonNode res : r.path("results")) {
          if ("rejected".equals(res.path("status").asText())) note(res.path("eventId").asText() + ": " + res.path("reason").asText());
        }
      }
    } catch (java.io.IOException e) {
      note("unreadable response: " + e.getMessage());
    }
  }

  private void note(String message) {
    synchronized (rejections) {
      if (rejections.size() < 20) rejections.add(message);
    }
  }
}
