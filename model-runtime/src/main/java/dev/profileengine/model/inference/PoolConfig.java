package dev.profileengine.model.inference;

import java.time.Duration;

/**
 * Sizing of an {@link InferencePool}.
 *
 * @param workers worker threads, each with its own predictor (default: available processors)
 * @param queueCapacity requests waiting for a batch before {@code predict} rejects
 * @param maxBatch a batch closes when it has this many requests...
 * @param maxDelay ...or when its first request has waited this long
 */
public record PoolConfig(int workers, int queueCapacity, int maxBatch, Duration maxDelay) {
  public PoolConfig {
    if (workers < 1) throw new IllegalArgumentException("workers >= 1");
    if (queueCapacity < 1) throw new IllegalArgumentException("queueCapacity >= 1");
    if (maxBatch < 1) throw new IllegalArgumentException("maxBatch >= 1");
    if (maxDelay.isNegative()) throw new IllegalArgumentException("maxDelay >= 0");
  }

  /** 64 per batch, 2 ms, a queue of 10,000, one worker per core. */
  public static PoolConfig defaults() {
    return new PoolConfig(Math.max(1, Runtime.getRuntime().availableProcessors()), 10_000, 64, Duration.ofMillis(2));
  }

  public PoolConfig withWorkers(int n) {
    return new PoolConfig(n, queueCapacity, maxBatch, maxDelay);
  }

  public PoolConfig withQueueCapacity(int n) {
    return new PoolConfig(workers, n, maxBatch, maxDelay);
  }

  public PoolConfig withBatch(int max, Duration delay) {
    return new PoolConfig(workers, queueCapacity, max, delay);
  }
}
