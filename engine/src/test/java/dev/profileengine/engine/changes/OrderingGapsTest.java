package dev.profileengine.engine.changes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class OrderingGapsTest {
  private static final long MS = 1_000_000;

  @Test
  void consecutiveOrderingsAreSettledToTheirEnd() {
    OrderingGaps gaps = new OrderingGaps(Duration.ofMillis(500));
    assertEquals(13, gaps.settledEnd(10, List.of(11L, 12L, 13L), 0));
    assertEquals(10, gaps.settledEnd(10, List.of(), 0), "nothing new");
  }

  @Test
  void aMissingOrderingHoldsTheRowsAfterItUntilItCommitsOrTheWaitEnds() {
    OrderingGaps gaps = new OrderingGaps(Duration.ofMillis(500));
    assertEquals(11, gaps.settledEnd(10, List.of(11L, 13L, 14L), 0), "12 missing: 13 and 14 wait");
    assertEquals(11, gaps.settledEnd(11, List.of(13L, 14L), 499 * MS), "still within the wait");
    assertEquals(14, gaps.settledEnd(11, List.of(12L, 13L, 14L), 300 * MS), "12 committed: read in its place");

    assertEquals(14, gaps.settledEnd(14, List.of(16L), 1_000 * MS), "15 missing");
    assertEquals(16, gaps.settledEnd(14, List.of(16L), 1_500 * MS), "passed after the wait (rolled back)");
    assertEquals(16, gaps.settledEnd(16, List.of(18L), 1_600 * MS), "a new gap waits afresh");
  }
}
