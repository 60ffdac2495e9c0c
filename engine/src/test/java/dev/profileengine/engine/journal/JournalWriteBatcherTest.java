package dev.profileengine.engine.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class JournalWriteBatcherTest {
  /** A journal whose transactions the test commits or fails by hand, in order. */
  private static final class ManualJournal {
    final List<List<Integer>> batches = new ArrayList<>();
    final List<CompletableFuture<Void>> commits = new ArrayList<>();

    synchronized CompletionStage<?> write(List<Integer> rows) {
      batches.add(List.copyOf(rows));
      CompletableFuture<Void> commit = new CompletableFuture<>();
      commits.add(commit);
      return commit;
    }

    synchronized CompletableFuture<Void> commit(int i) {
      return commits.get(i);
    }

    synchronized List<List<Integer>> batches() {
      return List.copyOf(batches);
    }

    synchronized int inFlight() {
      return (int) commits.stream().filter(c -> !c.isDone()).count();
    }
  }

  private static JournalWriteBatcher<Integer> batcher(ManualJournal journal, int batchSize, int parallelism, int bufferSize) {
    return new JournalWriteBatcher<>(batchSize, parallelism, bufferSize, journal::write, Runnable::run);
  }

  private static void await(CompletionStage<Void> write) throws Exception {
    write.toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  void writesWaitingWhileTheJournalIsBusyGoInOneTransaction() throws Exception {
    ManualJournal journal = new ManualJournal();
    JournalWriteBatcher<Integer> b = batcher(journal, 100, 1, 1000);
    CompletionStage<Void> first = b.submit(List.of(1));
    CompletionStage<Void> second = b.submit(List.of(2, 3));
    CompletionStage<Void> third = b.submit(List.of(4));
    assertEquals(List.of(List.of(1)), journal.batches(), "the first write goes at once");
    assertEquals(3, b.waitingRows());
    assertFalse(second.toCompletableFuture().isDone());
    journal.commit(0).complete(null);
    await(first);
    assertEquals(List.of(List.of(1), List.of(2, 3, 4)), journal.batches(), "the writes that waited are one batch, in order");
    assertFalse(third.toCompletableFuture().isDone(), "a write completes only once its batch is committed");
    journal.commit(1).complete(null);
    await(second);
    await(third);
    assertEquals(0, b.waitingRows());
  }

  @Test
  void aBatchHoldsAtMostBatchSizeRowsButAWriteIsNeverSplit() throws Exception {
    ManualJournal journal = new ManualJournal();
    JournalWriteBatcher<Integer> b = batcher(journal, 3, 1, 1000);
    b.submit(List.of(0));
    b.submit(List.of(1, 2));
    b.submit(List.of(3, 4));
    CompletionStage<Void> big = b.submit(List.of(5, 6, 7, 8));
    for (int i = 0; i < 4; i++) journal.commit(i).complete(null);
    await(big);
    assertEquals(List.of(List.of(0), List.of(1, 2), List.of(3, 4), List.of(5, 6, 7, 8)), journal.batches());
  }

  @Test
  void atMostParallelismTransactionsAreInFlight() throws Exception {
    ManualJournal journal = new ManualJournal();
    JournalWriteBatcher<Integer> b = batcher(journal, 1, 2, 1000);
    List<CompletionStage<Void>> writes = new ArrayList<>();
    for (int i = 0; i < 6; i++) writes.add(b.submit(List.of(i)));
    assertEquals(2, journal.inFlight());
    for (int i = 0; i < 6; i++) {
      assertTrue(journal.inFlight() <= 2);
      journal.commit(i).complete(null);
    }
    for (CompletionStage<Void> w : writes) await(w);
    assertEquals(6, journal.batches().size());
  }

  @Test
  void aFailedTransactionFailsItsWritesOnlyAndTheNextBatchStillGoes() throws Exception {
    ManualJournal journal = new ManualJournal();
    JournalWriteBatcher<Integer> b = batcher(journal, 100, 1, 1000);
    CompletionStage<Void> first = b.submit(List.of(1));
    CompletionStage<Void> doomed = b.submit(List.of(2));
    CompletionStage<Void> alsoDoomed = b.submit(List.of(3));
    journal.commit(0).complete(null);
    CompletionStage<Void> later = b.submit(List.of(4));
    journal.commit(1).completeExceptionally(new IllegalStateException("disk full"));
    ExecutionException e = assertThrows(ExecutionException.class, () -> await(doomed));
    assertEquals("disk full", e.getCause().getMessage());
    assertThrows(ExecutionException.class, () -> await(alsoDoomed));
    journal.commit(2).complete(null);
    await(first);
    await(later);
    assertEquals(List.of(List.of(1), List.of(2, 3), List.of(4)), journal.batches());
  }

  @Test
  void aWriteBeyondTheBufferIsRejectedAtOnce() throws Exception {
    ManualJournal journal = new ManualJournal();
    JournalWriteBatcher<Integer> b = batcher(journal, 100, 1, 3);
    b.submit(List.of(1));
    b.submit(List.of(2, 3));
    CompletionStage<Void> rejected = b.submit(List.of(4, 5));
    ExecutionException e = assertThrows(ExecutionException.class, () -> await(rejected));
    assertInstanceOf(JournalWriteBatcher.BufferFullException.class, e.getCause());
    assertTrue(e.getCause().getMessage().contains("2 rows waiting, buffer 3"), e.getCause().getMessage());
    CompletionStage<Void> fits = b.submit(List.of(6));
    journal.commit(0).complete(null);
    journal.commit(1).complete(null);
    await(fits);
    assertEquals(List.of(List.of(1), List.of(2, 3, 6)), journal.batches());
  }
}
