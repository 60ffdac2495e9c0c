package dev.profileengine.model.served;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.profileengine.model.dataset.BehaviorDataset;
import dev.profileengine.model.dataset.ChronologicalSplit;
import dev.profileengine.profile.RecentBehavior;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Replays a file's users through a running node and collects, for every held-out event the
 * offline evaluation scores ({@code Evaluator.heldOutTargets}: per user, index {@code j} from
 * {@code max(1, floor(0.8 n))} to {@code n - 1}), the prediction the engine stored for that user as
 * of exactly the {@code j} events before it ({@code asOfEventCount == j}).
 *
 * <p>Per user: the history part goes first (batches of the user's events in order); then the
 * held-out events one at a time, each sent only once the prediction as of the events before it
 * was announced on the change stream (or was not within the wait) and read from the profile (all
 * ten categories; a stream change carries three): a profile's predictions coalesce
 * while events arrive, so only this pacing makes the engine compute one per scored event. Users run
 * concurrently and their single events share batches. Each user gets a fresh profile (its id
 * prefixed by the run's {@link Options#userPrefix}), so the event counts are the file's.
 */
public final class ServedReplay {
  private ServedReplay() {}

  /**
   * @param url the node
   * @param apiKey null: none (an open loopback node)
   * @param predictionWait the longest to wait for one prediction before counting it dropped
   * @param userPrefix prepended to every user id (and event id): a fresh profile per user and run
   * @param batchSize most events per POST (the API takes 1,000)
   * @param concurrency POSTs in flight
   */
  public record Options(URI url, String apiKey, Duration predictionWait, String userPrefix, int batchSize, int concurrency) {
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(20);

    public Options {
      if (batchSize < 1 || batchSize > 1000) throw new IllegalArgumentException("batch size 1..1000");
      if (concurrency < 1) throw new IllegalArgumentException("concurrency must be positive");
    }

    public static Options of(URI url, String apiKey, Duration wait) {
      return new Options(url, apiKey, wait, "served-" + Long.toString(System.currentTimeMillis(), 36) + "-", 500, 4);
    }
  }

  /** Why a held-out event has no served prediction. */
  public enum Missing {
    /** No prediction as of the events before it came within the wait (shed by the pool, predictions off, no consent). */
    DROPPED,
    /** The node rejected one of the user's events, so its profile no longer counts the file's events. */
    USER_REJECTED
  }

  /**
   * @param predictions one per held-out event in {@code Evaluator.heldOutTargets} order; null where missing
   * @param missing the reason for each null in {@code predictions} (same index), null where present
   * @param lateOnStream predictions the change stream did not announce within the wait but the profile held
   * @param versions model version -> predictions it made
   * @param eventsStored events the node stored (accepted, or duplicate of an earlier attempt)
   * @param rejections a few of the node's rejection reasons
   */
  public record Outcome(URI url, String userPrefix, List<ServedPrediction> predictions, List<Missing> missing, long lateOnStream,
      Map<String, Long> versions, long eventsStored, List<String> rejections, double seconds) {
    public long scored() {
      return predictions.stream().filter(p -> p != null).count();
    }

    public long missing(Missing reason) {
      return missing.stream().filter(m -> m == reason).count();
    }

    public double coverage() {
      return predictions.isEmpty() ? Double.NaN : (double) scored() / predictions.size();
    }
  }

  public static Outcome run(BehaviorDataset data, ChronologicalSplit split, Options options, PrintStream progress) {
    return new Run(data, split, options, progress).run();
  }

  /** One user's replay: its events, where its targets sit in the global list, the predictions seen. */
  private static final class UserRun {
    final String servedId;
    final List<RecentBehavior> events;
    final int first; // index of the first scored event
    final int targetBase; // its position among all targets
    final Map<Long, ServedPrediction> predictions = new ConcurrentHashMap<>();
    CompletableFuture<ServedPrediction> waiting; // guarded by this
    long waitingFor = -1;
    volatile boolean rejected;

    UserRun(String servedId, List<RecentBehavior> events, int first, int targetBase) {
      this.servedId = servedId;
      this.events = events;
      this.first = first;
      this.targetBase = targetBase;
    }

    /**
     * A prediction announced on the stream: noted if it is one of the user's scored points (the
     * stream's copy only says that it is stored; its content is read from the profile), and handed to a waiter for it.
     */
    void offer(ServedPrediction p) {
      if (p.asOfEventCount() < first || p.asOfEventCount() >= events.size()) return;
      CompletableFuture<ServedPrediction> w = null;
      synchronized (this) {
        predictions.put(p.asOfEventCount(), p);
        if (p.asOfEventCount() == waitingFor) w = waiting;
      }
      if (w != null) w.complete(p);
    }

    /** Completes with the prediction as of {@code count} events, once it is (or was) seen. */
    synchronized CompletableFuture<ServedPrediction> await(long count) {
      ServedPrediction seen = predictions.get(count);
      if (seen != null) return CompletableFuture.completedFuture(seen);
      waitingFor = count;
      waiting = new CompletableFuture<>();
      return waiting;
    }
  }

  /** Events of one user handed to the sender; completes with their statuses. */
  private record Send(UserRun user, int from, int to, CompletableFuture<NodeClient.BatchAnswer> answered) {
    int size() {
      return to - from;
    }
  }

  private static final class Run {
    private final BehaviorDataset data;
    private final ChronologicalSplit split;
    private final Options options;
    private final PrintStream progress;
    private final NodeClient client;
    private final List<UserRun> users = new ArrayList<>();
    private final Map<String, UserRun> byServedId = new ConcurrentHashMap<>();
    private final LinkedBlockingDeque<Send> queue = new LinkedBlockingDeque<>();
    private final Semaphore posts;
    private final AtomicLong predictionsSeen = new AtomicLong();
    private final AtomicLong lateOnStream = new AtomicLong();
    private final AtomicLong stored = new AtomicLong();
    private final AtomicLong done = new AtomicLong();
    private final AtomicBoolean noPredictions = new AtomicBoolean();
    private final List<String> rejections = Collections.synchronizedList(new ArrayList<>());
    private ServedPrediction[] predictions;
    private Missing[] missing;
    private volatile boolean finished;
    private volatile Throwable failure;
    private PredictionStream stream;

    Run(BehaviorDataset data, ChronologicalSplit split, Options options, PrintStream progress) {
      this.data = data;
      this.split = split;
      this.options = options;
      this.progress = progress;
      this.client = new NodeClient(options.url(), options.apiKey());
      this.posts = new Semaphore(options.concurrency());
    }

    Outcome run() {
      long t0 = System.nanoTime();
      int targets = 0;
      for (Map.Entry<String, List<RecentBehavior>> e : data.users().entrySet()) {
        int n = e.getValue().size();
        int first = Math.max(1, split.historyLength(n));
        if (first >= n) continue; // nothing scored: the user is not sent
        UserRun u = new UserRun(options.userPrefix() + e.getKey(), e.getValue(), first, targets);
        users.add(u);
        byServedId.put(u.servedId, u);
        targets += n - first;
      }
      predictions = new ServedPrediction[targets];
      missing = new Missing[targets];
      // a stream naming the users reads only their rows; beyond 100 names the node takes none, so every change is read
      List<String> filter = users.size() <= 100 ? users.stream().map(u -> u.servedId).toList() : List.of();
      stream = PredictionStream.open(client, filter, this::onPrediction);
      Thread sender = new Thread(this::sendLoop, "served-eval-sender");
      sender.setDaemon(true);
      sender.start();
      try {
        List<CompletableFuture<Void>> chains = new ArrayList<>();
        for (UserRun u : users) chains.add(history(u, 0).thenCompose(v -> heldOut(u, u.first)));
        CompletableFuture<Void> all = CompletableFuture.allOf(chains.toArray(CompletableFuture[]::new));
        long total = targets;
        while (true) {
          try {
            all.get(5, TimeUnit.SECONDS);
            break;
          } catch (TimeoutException e) {
            if (failure != null) throw new ServedEvaluationException("served evaluation failed: " + failure, failure);
            progress.printf("served: %,d of %,d held-out events done, %,d predictions seen%n", done.get(), total, predictionsSeen.get());
          }
        }
      } catch (ExecutionException e) {
        Throwable c = e.getCause() instanceof java.util.concurrent.CompletionException ce && ce.getCause() != null ? ce.getCause() : e.getCause();
        if (c instanceof ServedEvaluationException se) throw se;
        throw new ServedEvaluationException("served evaluation failed: " + c, c);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ServedEvaluationException("interrupted", e);
      } finally {
        finished = true;
        sender.interrupt();
        stream.close();
      }
      Map<String, Long> versions = new TreeMap<>();
      for (ServedPrediction p : predictions) if (p != null) versions.merge(String.valueOf(p.modelVersion()), 1L, Long::sum);
      return new Outcome(options.url(), options.userPrefix(), Collections.unmodifiableList(java.util.Arrays.asList(predictions)),
          Collections.unmodifiableList(java.util.Arrays.asList(missing)), lateOnStream.get(), versions, stored.get(),
          List.copyOf(rejections), (System.nanoTime() - t0) / 1e9);
    }

    private void onPrediction(ServedPrediction p) {
      UserRun u = byServedId.get(p.userId());
      if (u == null) return;
      predictionsSeen.incrementAndGet();
      u.offer(p);
    }

    /** Sends the user's history part from {@code from}, a batch at a time. */
    private CompletableFuture<Void> history(UserRun u, int from) {
      if (from >= u.first) return CompletableFuture.completedFuture(null);
      int to = Math.min(u.first, from + options.batchSize());
      return send(u, from, to).thenCompose(v -> u.rejected ? CompletableFuture.completedFuture(null) : history(u, to));
    }

    /** Takes the prediction as of {@code count} events (scoring event {@code count}), then sends that event and goes on. */
    private CompletableFuture<Void> heldOut(UserRun u, int count) {
      if (count >= u.events.size()) return CompletableFuture.completedFuture(null);
      if (u.rejected || noPredictions.get()) {
        for (int j = count; j < u.events.size(); j++) settle(u, j, null, u.rejected ? Missing.USER_REJECTED : Missing.DROPPED);
        return CompletableFuture.completedFuture(null);
      }
      return prediction(u, count).thenCompose(p -> {
        settle(u, count, p, p == null ? Missing.DROPPED : null);
        if (count + 1 >= u.events.size()) return CompletableFuture.completedFuture(null);
        return send(u, count, count + 1).thenCompose(v -> heldOut(u, count + 1));
      });
    }

    private void settle(UserRun u, int index, ServedPrediction p, Missing why) {
      int t = u.targetBase + index - u.first;
      predictions[t] = p;
      missing[t] = why;
      done.incrementAndGet();
    }

    /**
     * The prediction as of exactly {@code count} events, null when the node stored none. The change
     * stream says when it is stored (its {@code asOfEventCount}); its content is read from the
     * profile, which holds all ten categories (a stream change carries three), and is taken only
     * if the profile's {@code asOfEventCount} is {@code count}: the user gets no new event before.
     * If the stream brings nothing within the wait, the profile is read all the same.
     */
    private CompletableFuture<ServedPrediction> prediction(UserRun u, int count) {
      return u.await(count).completeOnTimeout(null, options.predictionWait().toMillis(), TimeUnit.MILLISECONDS).thenCompose(streamed -> {
        if (streamed == null && stream.failure() != null)
          throw new ServedEvaluationException("the change stream failed: " + stream.failure(), stream.failure());
        // the stream may announce a prediction a moment before the node's read side shows it: a few reads, briefly
        long deadline = System.nanoTime() + (streamed == null ? 0 : options.predictionWait().toNanos());
        return storedAsOf(u, count, deadline, 0).thenApply(stored -> {
          if (stored != null) {
            if (streamed == null) lateOnStream.incrementAndGet();
            return ServedPrediction.parse(u.servedId, stored);
          }
          // nothing at all so far: the node stores no predictions (off, or no consent); waiting more would only repeat this
          if (predictionsSeen.get() == 0 && noPredictions.compareAndSet(false, true))
            progress.printf("served: no prediction within %d s of the history: the node stores none (predictions off?)%n",
                options.predictionWait().toSeconds());
          return null;
        });
      });
    }

    /** The profile's prediction once its {@code asOfEventCount} is {@code count}, read again until {@code deadline}; else null. */
    private CompletableFuture<JsonNode> storedAsOf(UserRun u, int count, long deadline, int attempt) {
      return client.profile(u.servedId).thenCompose(profile -> {
        JsonNode stored = profile == null ? null : profile.get("prediction");
        if (stored != null && stored.path("asOfEventCount").asLong(-1) == count) return CompletableFuture.completedFuture(stored);
        if (System.nanoTime() >= deadline) return CompletableFuture.completedFuture(null);
        return CompletableFuture.supplyAsync(() -> null, CompletableFuture.delayedExecutor(Math.min(50, 1L << attempt), TimeUnit.MILLISECONDS))
            .thenCompose(x -> storedAsOf(u, count, deadline, attempt + 1));
      });
    }

    private CompletableFuture<Void> send(UserRun u, int from, int to) {
      Send s = new Send(u, from, to, new CompletableFuture<>());
      queue.add(s);
      return s.answered().thenAccept(answer -> {
        for (int j = from; j < to; j++) {
          String id = eventId(u, j);
          String status = answer.status().get(id);
          if ("accepted".equals(status) || "duplicate".equals(status)) stored.incrementAndGet();
          else {
            u.rejected = true;
            if (rejections.size() < 10) rejections.add(id + ": " + answer.reasons().getOrDefault(id, String.valueOf(status)));
          }
        }
      });
    }

    /** Gathers queued sends into batches of up to {@link Options#batchSize} events, {@link Options#concurrency} in flight. */
    private void sendLoop() {
      try {
        while (!finished) {
          Send head = queue.poll(1, TimeUnit.SECONDS);
          if (head == null) continue;
          List<Send> batch = new ArrayList<>(List.of(head));
          int size = head.size();
          for (Send next = queue.peek(); next != null && size + next.size() <= options.batchSize(); next = queue.peek()) {
            batch.add(queue.poll());
            size += next.size();
          }
          ArrayNode body = NodeClient.JSON.createArrayNode();
          for (Send s : batch) for (int j = s.from(); j < s.to(); j++) body.add(event(s.user(), j));
          posts.acquire();
          client.postEvents(body).whenComplete((answer, error) -> {
            posts.release();
            if (error != null) failure = error;
            for (Send s : batch) {
              if (error != null) s.answered().completeExceptionally(error);
              else s.answered().complete(answer);
            }
          });
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private String eventId(UserRun u, int index) {
      return u.servedId + "-" + index;
    }

    /** The engine's JSON for the user's event {@code index}: the file's type, category and time under the run's ids. */
    private ObjectNode event(UserRun u, int index) {
      RecentBehavior b = u.events.get(index);
      ObjectNode e = NodeClient.JSON.createObjectNode();
      e.put("eventId", eventId(u, index));
      e.put("userId", u.servedId);
      e.put("type", b.type().wire());
      e.put("timestamp", b.epochMillis());
      if (b.categoryId() != null) e.put("categoryId", b.categoryId());
      return e;
    }
  }
}
