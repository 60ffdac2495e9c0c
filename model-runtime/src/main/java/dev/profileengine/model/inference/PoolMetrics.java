package dev.profileengine.model.inference;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/** Lock-free counters of an {@link InferencePool}. */
final class PoolMetrics {
  private static final int[] BATCH_BOUNDS = {1, 4, 8, 16, 32, 64, 128, 256};
  /** Latency bucket upper bounds in microseconds (log scale, last open). */
  private static final long[] LATENCY_BOUNDS_US = {250, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000,
      250_000, 1_000_000, 5_000_000};

  final LongAdder requests = new LongAdder();
  final LongAdder rejected = new LongAdder();
  final LongAdder completed = new LongAdder();
  final LongAdder failed = new LongAdder();
  final LongAdder batches = new LongAdder();
  final LongAdder swaps = new LongAdder();
  private final LongAdder batchedRequests = new LongAdder();
  private final LongAccumulator maxBatch = new LongAccumulator(Math::max, 0);
  private final AtomicLongArray batchHist = new AtomicLongArray(BATCH_BOUNDS.length + 1);
  private final LongAdder latencySumNanos = new LongAdder();
  private final LongAccumulator latencyMaxNanos = new LongAccumulator(Math::max, 0);
  private final AtomicLongArray latencyHist = new AtomicLongArray(LATENCY_BOUNDS_US.length + 1);

  void batch(int size) {
    batches.increment();
    batchedRequests.add(size);
    maxBatch.accumulate(size);
    int i = 0;
    while (i < BATCH_BOUNDS.length && size > BATCH_BOUNDS[i]) i++;
    batchHist.incrementAndGet(i);
  }

  void latency(long nanos) {
    latencySumNanos.add(nanos);
    latencyMaxNanos.accumulate(nanos);
    long us = nanos / 1000;
    int i = 0;
    while (i < LATENCY_BOUNDS_US.length && us > LATENCY_BOUNDS_US[i]) i++;
    latencyHist.incrementAndGet(i);
  }

  Map<String, Long> batchHistogram() {
    Map<String, Long> m = new LinkedHashMap<>();
    int lo = 1;
    for (int i = 0; i < BATCH_BOUNDS.length; i++) {
      m.put(lo == BATCH_BOUNDS[i] ? String.valueOf(lo) : lo + "-" + BATCH_BOUNDS[i], batchHist.get(i));
      lo = BATCH_BOUNDS[i] + 1;
    }
    m.put(lo + "+", batchHist.get(BATCH_BOUNDS.length));
    return m;
  }

  double meanBatch() {
    long b = batches.sum();
    return b == 0 ? 0 : (double) batchedRequests.sum() / b;
  }

  int maxBatch() {
    return (int) maxBatch.get();
  }

  double meanLatencyMillis() {
    long n = 0;
    for (int i = 0; i < latencyHist.length(); i++) n += latencyHist.get(i);
    return n == 0 ? 0 : latencySumNanos.sum() / 1e6 / n;
  }

  double maxLatencyMillis() {
    return latencyMaxNanos.get() / 1e6;
  }

  /** Upper bound of the bucket holding the 99th percentile (the maximum for the open bucket). */
  double p99LatencyMillis() {
    long n = 0;
    for (int i = 0; i < latencyHist.length(); i++) n += latencyHist.get(i);
    if (n == 0) return 0;
    long rank = (long) Math.ceil(0.99 * n);
    long seen = 0;
    for (int i = 0; i < latencyHist.length(); i++) {
      seen += latencyHist.get(i);
      if (seen >= rank) return i < LATENCY_BOUNDS_US.length ? Math.min(LATENCY_BOUNDS_US[i] / 1000.0, maxLatencyMillis()) : maxLatencyMillis();
    }
    return maxLatencyMillis();
  }
}
