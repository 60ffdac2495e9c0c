package dev.profileengine.gateway.auth;

import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per caller: {@code ratePerSecond} requests per second on average, bursts up to
 * {@code burst}. {@link #tryAcquire} answers 0 when a request may go, otherwise the seconds to wait.
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
    Bucket b = buckets.computeIfAbsent(caller, c -> new Bucket(burst, nowNanos));
    synchronized (b) {
      b.tokens = Math.min(burst, b.tokens + (nowNanos - b.lastNanos) / 1e9 * ratePerSecond);
      b.lastNanos = nowNanos;
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return 0;
      }
      return (long) Math.ceil((1 - b.tokens) / ratePerSecond);
    }
  }
}
