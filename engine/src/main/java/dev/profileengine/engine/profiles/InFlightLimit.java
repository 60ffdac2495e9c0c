package dev.profileengine.engine.profiles;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Admission control: a bound on the work this node has handed to entities and not yet
 * seen answered (events of ingest batches, or reads). Beyond it a request is refused at once, with
 * nothing stored, and told when to retry (Retry-After), instead of joining a queue that
 * only grows: an open-model overload then keeps the node acknowledging at its capacity and sheds
 * the excess in milliseconds, where without it every request waited out the ask timeout and the
 * node answered nothing in time.
 *
 * <p>The bound adapts to what the node sustains (additive increase, multiplicative decrease): an
 * answer slower than the latency target shrinks it in proportion (target / latency, between a half
 * and four fifths; a failed or timed-out one by half), at most once per {@link #DECREASE_EVERY};
 * an answer on time lets it grow back by a quarter of that answer's units, up to the configured
 * maximum: a static bound sized for a warm node lets a cold one (JIT, empty caches) queue
 * more work than it can answer before the timeout.
 *
 * <p>A request is admitted when its units fit under the bound, or when nothing is in flight, so a
 * request larger than the bound is never starved. Every admitted request must {@link #release}
 * exactly what it acquired, saying how long it took.
 */
public final class InFlightLimit {
  /** The shortest time between two decreases: the answers of one burst shrink the bound once. */
  static final Duration DECREASE_EVERY = Duration.ofMillis(500);

  private final String name;
  private final long max;
  private final long min;
  private final long targetNanos;
  private final Duration retryAfter;
  private final AtomicLong inFlight = new AtomicLong();
  private volatile long limit;
  private long lastDecrease;

  /**
   * @param max the units allowed in flight at most; 0 or less turns admission control off
   * @param min the bound never shrinks below this
   * @param target answers slower than this shrink the bound
   */
  public InFlightLimit(String name, long max, long min, Duration target, Duration retryAfter) {
    this.name = name;
    this.max = max;
    this.min = Math.max(1, Math.min(min, max));
    this.targetNanos = target.toNanos();
    this.retryAfter = retryAfter;
    this.limit = max;
    this.lastDecrease = System.nanoTime() - DECREASE_EVERY.toNanos();
  }

  /** Takes {@code units} if they fit (or nothing is in flight); false, taking nothing, if not. */
  public boolean tryAcquire(long units) {
    if (max <= 0) {
      acquire(units);
      return true;
    }
    while (true) {
      long current = inFlight.get();
      if (current > 0 && current + units > limit) return false;
      if (inFlight.compareAndSet(current, current + units)) return true;
    }
  }

  /** Takes {@code units} whatever the bound: work that is bounded elsewhere but must count for the others. */
  public void acquire(long units) {
    inFlight.addAndGet(units);
  }

  /** Gives back what was taken for work never started (the limit learns nothing from it). */
  public void giveBack(long units) {
    inFlight.addAndGet(-units);
  }

  /** Gives back what a request took; {@code answered} false when it failed or timed out. */
  public void release(long units, long elapsedNanos, boolean answered) {
    inFlight.addAndGet(-units);
    if (max > 0) adapt(units, answered ? elapsedNanos : Long.MAX_VALUE);
  }

  private synchronized void adapt(long units, long elapsedNanos) {
    long now = System.nanoTime();
    if (elapsedNanos <= targetNanos) {
      limit = Math.min(max, limit + Math.max(1, units / 4));
    } else if (now - lastDecrease >= DECREASE_EVERY.toNanos()) {
      double factor = Math.max(0.5, Math.min(0.8, (double) targetNanos / elapsedNanos));
      limit = Math.max(min, (long) (limit * factor));
      lastDecrease = now;
    }
  }

  /** What the bound counts: events or reads (the metrics' kind label). */
  public String name() {
    return name;
  }

  public long inFlight() {
    return inFlight.get();
  }

  /** The bound now (0: unbounded). */
  public long limit() {
    return max <= 0 ? 0 : limit;
  }

  /** Whole seconds of a Retry-After, at least 1. */
  static long seconds(Duration retryAfter) {
    return Math.max(1, retryAfter.toSeconds());
  }

  /** When a refused client should retry, in whole seconds (at least 1). */
  public long retryAfterSeconds() {
    return seconds(retryAfter);
  }

  /** A request of {@code units} refused by this bound. */
  Refusal refused(long units) {
    return new Refusal(Refusal.Reason.OVERLOADED, null, refusal(units), retryAfterSeconds());
  }

  /** The reason given to a refused request (per event, or as the error of a read). */
  public String refusal(long units) {
    return "node overloaded: " + inFlight.get() + " " + name + " in flight (limit now " + limit + "), " + units
        + " more refused and nothing stored: retry after " + seconds(retryAfter) + " s";
  }
}
