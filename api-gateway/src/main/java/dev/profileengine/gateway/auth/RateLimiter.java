package dev.profileengine.gateway.auth;

import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per caller: {@code ratePerSecond} tokens per second on average, bursts up to
 * {@code burst}. A request costs its units (an ingest batch one token per event, a read one).
 * {@link #tryAcquire} answers 0 when a request may go, otherwise the seconds to wait. A cost larger
 * than the burst is taken once the bucket is full and leaves it in debt, so the long-run rate holds
 * without starving a batch larger than the burst.
 */
public final class RateLimiter {
  private final double ratePerSecond;
  private final double burst;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

  private static final class Bucket {
    double tokens;
    long lastNanos;

    Bucket(double tokens, long now) {
      this.tokens = tokens;
      this.lastNanos = now;
    }
  }

  public RateLimiter(double ratePerSecond, double burst) {
    if (ratePerSecond <= 0 || burst < 1) throw new IllegalArgumentException("rate must be positive and burst at least 1");
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
  }

  public long tryAcquire(String caller, long nowNanos) {
    return tryAcquire(caller, 1, nowNanos);
  }

  /** Takes {@code cost} tokens: 0 when taken, else the whole seconds (at least 1) until they could be. */
  public long tryAcquire(String caller, long cost, long nowNanos) {
    long wait = tryAcquireNanos(caller, cost, nowNanos);
    return wait == 0 ? 0 : Math.max(1, (wait + 999_999_999L) / 1_000_000_000L);
  }

  /** Takes {@code cost} tokens: 0 when taken, else the nanoseconds until they could be (nothing taken). */
  public long tryAcquireNanos(String caller, long cost, long nowNanos) {
    if (cost <= 0) return 0;
    Bucket b = buckets.computeIfAbsent(caller, c -> new Bucket(burst, nowNanos));
    synchronized (b) {
      b.tokens = Math.min(burst, b.tokens + (nowNanos - b.lastNanos) / 1e9 * ratePerSecond);
      b.lastNanos = nowNanos;
      double needed = Math.min(cost, burst);
      if (b.tokens >= needed) {
        b.tokens -= cost;
        return 0;
      }
      return Math.max(1, (long) Math.ceil((needed - b.tokens) / ratePerSecond * 1e9));
    }
  }
}
