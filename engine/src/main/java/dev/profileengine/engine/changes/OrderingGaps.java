package dev.profileengine.engine.changes;

import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a journal whose writes may commit out of ordering order (H2: the erasure's tombstone beside
 * the group commit; a write that failed and rolled back) is settled: at the end of the run of
 * consecutive orderings. A missing ordering is waited for up to {@code maxWait}, then passed: it
 * was rolled back or deleted, or its writer is given up on.
 */
final class OrderingGaps {
  private static final Logger log = LoggerFactory.getLogger(OrderingGaps.class);

  private final long maxWaitNanos;
  private long gapAt = -1; // the missing ordering being waited for
  private long gapSinceNanos;

  OrderingGaps(Duration maxWait) {
    this.maxWaitNanos = maxWait.toNanos();
  }

  /** The last ordering that may be read after {@code after}, given the {@code orderings} after it now present, ascending. */
  long settledEnd(long after, List<Long> orderings, long nowNanos) {
    long end = after;
    for (long o : orderings) {
      if (o != end + 1 && !passed(end + 1, nowNanos)) break;
      end = o;
    }
    return end;
  }

  private boolean passed(long missing, long nowNanos) {
    if (gapAt != missing) {
      gapAt = missing;
      gapSinceNanos = nowNanos;
    }
    if (nowNanos - gapSinceNanos < maxWaitNanos) return false;
    log.debug("Journal ordering {} still missing after {} ms: passed", missing, maxWaitNanos / 1_000_000);
    gapAt = -1;
    return true;
  }
}
