package dev.profileengine.gateway.replay;

import java.util.Arrays;

/**
 * How long each batch took from its POST to its acknowledgement (retries included: what the
 * sender waited), for the replay's closing line. Thread-safe; a replay records a few thousand.
 */
public final class AckLatencies {
  private long[] nanos = new long[1024];
  private int count;

  /** Percentiles by nearest rank, in milliseconds; all 0 when nothing was recorded. */
  public record Summary(int batches, double p50Ms, double p90Ms, double p99Ms, double maxMs) {
    public String line() {
      return String.format("ack latency per batch (POST to acknowledgement, retries included): p50 %.1f ms  p90 %.1f ms  p99 %.1f ms  max %.1f ms  (%,d batches)",
          p50Ms, p90Ms, p99Ms, maxMs, batches);
    }
  }

  public synchronized void record(long latencyNanos) {
    if (count == nanos.length) nanos = Arrays.copyOf(nanos, count * 2);
    nanos[count++] = latencyNanos;
  }

  public synchronized Summary summary() {
    if (count == 0) return new Summary(0, 0, 0, 0, 0);
    long[] sorted = Arrays.copyOf(nanos, count);
    Arrays.sort(sorted);
    return new Summary(count, ms(rank(sorted, 0.50)), ms(rank(sorted, 0.90)), ms(rank(sorted, 0.99)), ms(sorted[count - 1]));
  }

  private static long rank(long[] sorted, double p) {
    return sorted[Math.max(0, (int) Math.ceil(p * sorted.length) - 1)];
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }
}
