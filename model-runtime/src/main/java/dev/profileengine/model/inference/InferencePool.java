package dev.profileengine.model.inference;

import dev.profileengine.model.InferenceException;
import dev.profileengine.model.ModelStoreException;
import dev.profileengine.model.PoolRejectedException;
import dev.profileengine.model.encoding.UserContext;
import dev.profileengine.profile.RecentBehavior;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Micro-batching inference for one node, in the style of DJL Serving's workers: callers enqueue
 * requests on a bounded queue and get a {@link CompletionStage} at once; N worker threads, each
 * with its own predictor, take batches from the {@link BatchAggregator} (closed at
 * {@code maxBatch} requests or {@code maxDelay}) and run one forward pass per batch.
 *
 * <ul>
 *   <li>{@link #predict} never blocks: a full queue fails the stage with
 *       {@link PoolRejectedException} ({@code QUEUE_FULL}); a closed pool with {@code CLOSED}.
 *   <li>{@link #swap} switches the model atomically: batches already running finish on the old
 *       model, which is closed once they have drained; no request fails.
 *   <li>{@link #setCandidate} routes a stable share of users (by hash of the user id) to a
 *       candidate model; every prediction names the version that made it.
 * </ul>
 *
 * Stages complete on a pool worker thread: keep callbacks short or use the async variants.
 */
public final class InferencePool implements AutoCloseable {
  private static final long IDLE_WAIT_MILLIS = 50;

  private final PoolConfig config;
  private final BatchAggregator aggregator;
  private final PoolMetrics metrics = new PoolMetrics();
  private final AtomicReference<Routing> routing;
  private final List<Thread> workers = new ArrayList<>();
  private volatile boolean closed;

  public InferencePool(ServingModel model, PoolConfig config) {
    this.config = config;
    this.aggregator = new BatchAggregator(config.queueCapacity(), config.maxBatch(), config.maxDelay().toNanos());
    this.routing = new AtomicReference<>(new Routing(new Deployment(model), null, 0));
    for (int i = 0; i < config.workers(); i++) {
      Thread t = new Thread(this::workLoop, "inference-worker-" + i);
      t.setDaemon(true);
      workers.add(t);
      t.start();
    }
  }

  /** A pool on the default model (see {@code ModelLoader.loadServingModel()}). */
  public static InferencePool startDefault(PoolConfig config) {
    return new InferencePool(ModelLoader.loadServingModel(), config);
  }

  public PoolConfig config() {
    return config;
  }

  /** Queues a prediction for a user whose whole history is {@code behaviors} (oldest first); never blocks. */
  public CompletionStage<Prediction> predict(String userId, List<RecentBehavior> behaviors) {
    return predict(userId, UserContext.of(List.copyOf(behaviors)));
  }

  /** Queues a prediction for a user's recent behaviors and history counters; never blocks. */
  public CompletionStage<Prediction> predict(String userId, UserContext context) {
    metrics.requests.increment();
    if (closed) return rejected(PoolRejectedException.Reason.CLOSED, "inference pool is closed");
    InferenceRequest r = new InferenceRequest(userId, context, new CompletableFuture<>(), System.nanoTime());
    if (!aggregator.offer(r))
      return rejected(PoolRejectedException.Reason.QUEUE_FULL, "inference queue is full (" + config.queueCapacity() + " waiting)");
    if (closed && aggregator.remove(r)) // lost the race with close(): nobody would serve it
      return rejected(PoolRejectedException.Reason.CLOSED, "inference pool is closed");
    return r.result();
  }

  private CompletionStage<Prediction> rejected(PoolRejectedException.Reason reason, String message) {
    metrics.rejected.increment();
    return CompletableFuture.failedFuture(new PoolRejectedException(reason, message));
  }

  /** Serves {@code next} from now on; the previous model is closed once its running batches drain. */
  public void swap(ServingModel next) {
    Deployment d = new Deployment(next);
    Routing old = routing.getAndUpdate(r -> new Routing(d, r.candidate(), r.candidatePercent()));
    metrics.swaps.increment();
    old.primary().retire();
  }

  /** Routes {@code percent}% of users (stable by user id) to {@code candidate}; replaces any previous candidate. */
  public void setCandidate(ServingModel candidate, int percent) {
    Deployment d = new Deployment(candidate);
    Routing old = routing.getAndUpdate(r -> new Routing(r.primary(), d, percent));
    if (old.candidate() != null) old.candidate().retire();
  }

  /** Stops the A/B test; the candidate is closed once its running batches drain. */
  public void clearCandidate() {
    Routing old = routing.getAndUpdate(r -> new Routing(r.primary(), null, 0));
    if (old.candidate() != null) old.candidate().retire();
  }

  /** Makes the candidate the primary for all users (the old primary is retired). */
  public void promoteCandidate() {
    Routing old = routing.getAndUpdate(r -> r.candidate() == null ? r : new Routing(r.candidate(), null, 0));
    if (old.candidate() != null) {
      metrics.swaps.increment();
      old.primary().retire();
    }
  }

  public String modelVersion() {
    return routing.get().primary().version();
  }

  public PoolStats stats() {
    Routing r = routing.get();
    return new PoolStats(metrics.requests.sum(), metrics.rejected.sum(), metrics.completed.sum(), metrics.failed.sum(),
        metrics.batches.sum(), metrics.meanBatch(), metrics.maxBatch(), metrics.batchHistogram(), metrics.meanLatencyMillis(),
        metrics.p99LatencyMillis(), metrics.maxLatencyMillis(), aggregator.depth(), r.primary().version(),
        r.candidate() == null ? null : r.candidate().version(), r.candidatePercent(), metrics.swaps.sum());
  }

  private void workLoop() {
    Map<Deployment, BatchWorker> mine = new IdentityHashMap<>();
    try {
      while (!closed) {
        List<InferenceRequest> batch = aggregator.nextBatch(IDLE_WAIT_MILLIS);
        if (!batch.isEmpty()) run(batch, mine);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Splits a batch by routed deployment and runs each part on a leased deployment. */
  private void run(List<InferenceRequest> batch, Map<Deployment, BatchWorker> mine) {
    metrics.batch(batch.size());
    Map<Deployment, List<InferenceRequest>> parts = new LinkedHashMap<>();
    List<Deployment> leased = new ArrayList<>(2);
    try {
      Routing r = lease(leased);
      for (InferenceRequest q : batch) parts.computeIfAbsent(r.route(q.userId()), k -> new ArrayList<>()).add(q);
      mine.keySet().removeIf(Deployment::isRetired);
      parts.forEach((d, reqs) -> runPart(d, mine.computeIfAbsent(d, Deployment::newWorker), reqs));
    } finally {
      leased.forEach(Deployment::release);
    }
  }

  /** Acquires the current primary (and candidate) so neither is closed mid-batch. */
  private Routing lease(List<Deployment> leased) {
    while (true) {
      Routing r = routing.get();
      if (!r.primary().tryAcquire()) continue; // swapped meanwhile: read again
      if (r.candidate() != null && !r.candidate().tryAcquire()) {
        r.primary().release();
        continue;
      }
      leased.add(r.primary());
      if (r.candidate() != null) leased.add(r.candidate());
      return r;
    }
  }

  private void runPart(Deployment d, BatchWorker worker, List<InferenceRequest> reqs) {
    List<Prediction> out;
    try {
      out = worker.predict(reqs.stream().map(InferenceRequest::context).toList());
    } catch (RuntimeException e) {
      ModelStoreException ex = e instanceof ModelStoreException mse ? mse
          : new InferenceException("model " + d.version() + " failed on a batch of " + reqs.size() + ": " + e.getMessage(), e);
      for (InferenceRequest q : reqs) q.result().completeExceptionally(ex);
      metrics.failed.add(reqs.size());
      return;
    }
    long now = System.nanoTime();
    for (int i = 0; i < reqs.size(); i++) {
      InferenceRequest q = reqs.get(i);
      metrics.latency(now - q.enqueuedNanos());
      metrics.completed.increment();
      q.result().complete(out.get(i));
    }
  }

  /** Stops taking requests, fails the queued ones with {@code CLOSED}, waits for the workers, closes the models. */
  @Override
  public void close() {
    if (closed) return;
    closed = true;
    for (Thread t : workers) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    for (InferenceRequest q : aggregator.drain()) {
      metrics.rejected.increment();
      q.result().completeExceptionally(new PoolRejectedException(PoolRejectedException.Reason.CLOSED, "inference pool closed"));
    }
    Routing r = routing.get();
    r.primary().retire();
    if (r.candidate() != null) r.candidate().retire();
  }
}
