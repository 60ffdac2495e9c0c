package dev.profileengine.gateway;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Admission control: a bound on the work this node's gateway has handed to entities and not yet
 * seen answered (events of ingest batches, or reads). Beyond it a request is refused at once, with
 * nothing stored, and told when to retry ({@link #retryAfter()}), instead of joining a queue that
 * only grows: an open-model overload then keeps the node acknowledging at its capacity and sheds
 * the excess in microseconds, where without it every request waited out the ask timeout and the
 * node answered nothing in time (load-tests/BENCHMARKS.md, the Gatling stairs).
 *
 * <p>A request is admitted when its units fit under the limit, or when nothing is in flight, so a
 * request larger than the limit is never starved. Lock-free; every admitted request must
 * {@link #release} exactly what it acquired.
 */
public final class InFlightLimit {
  private final String name;
  private final long limit;
  private final Duration retryAfter;
  private final AtomicLong inFlight = new AtomicLong();

  /** @param limit the units allowed in flight; 0 or less turns admission control off */
  public InFlightLimit(String name, long limit, Duration retryAfter) {
    this.name = name;
    this.limit = limit;
    this.retryAfter = retryAfter;
  }

  /** Takes {@code units} if they fit (or nothing is in flight); false, taking nothing, if not. */
  public boolean tryAcquire(long units) {
    if (limit <= 0) {
      acquire(units);
      return true;
    }
    while (true) {
      long current = inFlight.get();
      if (current > 0 && current + units > limit) return false;
      if (inFlight.compareAndSet(current, current + units)) return true;
    }
  }

  /** Takes {@code units} whatever the limit: work that is bounded elsewhere but must count for the others. */
  public void acquire(long units) {
    inFlight.addAndGet(units);
  }

  public void release(long units) {
    inFlight.addAndGet(-units);
  }

  public long inFlight() {
    return inFlight.get();
  }

  public long limit() {
    return limit;
  }

  public Duration retryAfter() {
    return retryAfter;
  }

  /** The reason given to a refused request (per event, or as the error of a read). */
  public String refusal(long units) {
    return "node overloaded: " + inFlight.get() + " " + name + " in flight (limit " + limit + "), " + units
        + " more refused and nothing stored: retry after " + Math.max(1, retryAfter.toSeconds()) + " s";
  }
}
