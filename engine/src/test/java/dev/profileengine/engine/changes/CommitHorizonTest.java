package dev.profileengine.engine.changes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The commit horizon from what polls see: orderings taken so far, and the journal's open writers. */
class CommitHorizonTest {
  private static final long S = 1_000_000_000L;
  private final CommitHorizon horizon = new CommitHorizon(Duration.ofSeconds(60));

  @Test
  void noOpenWriterSettlesEverythingTaken() {
    assertEquals(10, horizon.advance(10, Set.of(), 0));
    assertEquals(25, horizon.advance(25, Set.of(), S));
  }

  @Test
  void anOpenWriterHoldsTheHorizonUntilItEndsWhateverItsOrderingsBecome() {
    assertEquals(10, horizon.advance(10, Set.of(), 0));
    // A writer took orderings up to 14; another commits 15..20 while the first stays open.
    assertEquals(10, horizon.advance(14, Set.of("3/7"), S));
    assertEquals(10, horizon.advance(20, Set.of("3/7", "4/9"), 2 * S));
    assertEquals(10, horizon.advance(20, Set.of("3/7"), 3 * S));
    // It ends (committed or rolled back: either way nothing up to 20 is still to come).
    assertEquals(20, horizon.advance(20, Set.of(), 4 * S));
  }

  @Test
  void aLaterPollWhoseWritersEndedSettlesEvenWhileNewWritersComeAndGo() {
    horizon.advance(10, Set.of("1/1"), 0);
    horizon.advance(12, Set.of("1/1", "2/2"), S);
    // 1/1 and 2/2 ended; 5/5 opened since: everything up to 12 is settled, 13.. is not yet.
    assertEquals(12, horizon.advance(13, Set.of("5/5"), 2 * S));
    assertEquals(13, horizon.advance(13, Set.of("6/6"), 3 * S));
  }

  @Test
  void aWriterOpenLongerThanTheBoundIsGivenUpOnAndCounted() {
    double before = ChangeMetrics.commitWaitsGivenUp.get();
    horizon.advance(5, Set.of("9/1"), 0);
    assertEquals(0, horizon.advance(8, Set.of("9/1"), 59 * S));
    assertEquals(8, horizon.advance(9, Set.of("9/1", "2/3"), 61 * S), "given up on 9/1: the polls it alone held settle");
    assertEquals(1, ChangeMetrics.commitWaitsGivenUp.get() - before);
    assertEquals(9, horizon.advance(9, Set.of("9/1"), 62 * S), "9/1 no longer holds anything back");
    assertEquals(1, ChangeMetrics.commitWaitsGivenUp.get() - before, "counted once");
  }

  @Test
  void theHorizonNeverMovesBack() {
    assertEquals(30, horizon.advance(30, Set.of(), 0));
    assertEquals(30, horizon.advance(30, Set.of("1/2"), S));
    assertEquals(30, horizon.advance(28, Set.of(), 2 * S));
  }
}
