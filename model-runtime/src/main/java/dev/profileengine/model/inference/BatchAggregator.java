package dev.profileengine.model.inference;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The bounded request queue and the batching rule (DJL Serving's "max batch size / max batch
 * delay"): a batch opens with the oldest waiting request and closes when it holds
 * {@code maxBatch} requests or when that first request has waited {@code maxDelay}, whichever
 * comes first. Workers call {@link #nextBatch()} concurrently.
 */
final class BatchAggregator {
  private final BlockingQueue<InferenceRequest> queue;
  private final int maxBatch;
  private final long maxDelayNanos;

  BatchAggregator(int capacity, int maxBatch, long maxDelayNanos) {
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.maxBatch = maxBatch;
    this.maxDelayNanos = maxDelayNanos;
  }

  /** Enqueues without blocking; false when the queue is full. */
  boolean offer(InferenceRequest r) {
    return queue.offer(r);
  }

  /** Takes a request back out of the queue; false if a worker (or a drain) already has it. */
  boolean remove(InferenceRequest r) {
    return queue.remove(r);
  }

  int depth() {
    return queue.size();
  }

  /**
   * The next batch; waits at most {@code idleWaitMillis} for a first request and returns an
   * empty list if none came (so a worker can notice shutdown).
   */
  List<InferenceRequest> nextBatch(long idleWaitMillis) throws InterruptedException {
    InferenceRequest first = queue.poll(idleWaitMillis, TimeUnit.MILLISECONDS);
    if (first == null) return List.of();
    List<InferenceRequest> batch = new ArrayList<>(maxBatch);
    batch.add(first);
    long deadline = first.enqueuedNanos() + maxDelayNanos;
    while (batch.size() < maxBatch) {
      if (queue.drainTo(batch, maxBatch - batch.size()) > 0) continue;
      long wait = deadline - System.nanoTime();
      if (wait <= 0) break;
      InferenceRequest next = queue.poll(wait, TimeUnit.NANOSECONDS);
      if (next == null) break;
      batch.add(next);
    }
    return batch;
  }

  /** Removes everything still queued (shutdown). */
  List<InferenceRequest> drain() {
    List<InferenceRequest> rest = new ArrayList<>();
    queue.drainTo(rest);
    return rest;
  }
}
