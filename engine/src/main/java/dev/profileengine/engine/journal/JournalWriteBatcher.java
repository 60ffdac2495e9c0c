package dev.profileengine.engine.journal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * Group commit for the journal: the writes of all entities queue here and are written in batches,
 * one transaction per batch, with at most {@code parallelism} batches in flight. A batch takes
 * every write waiting when a writer is free, up to {@code batchSize} rows (a single larger write
 * goes alone, whole), so under load the batches grow by themselves and the cost of a commit
 * (H2 stores every changed page at each one) is shared by more rows. Each write completes when its
 * batch is committed; a failed batch fails each of its writes.
 *
 * <p>At most {@code bufferSize} rows wait: beyond that a write fails at once with
 * {@link BufferFullException} (the journal's circuit breaker counts it) instead of queueing
 * without bound.
 *
 * @param <T> a journal row
 */
final class JournalWriteBatcher<T> {
  /** The queue already holds {@code bufferSize} rows. */
  static final class BufferFullException extends IllegalStateException {
    BufferFullException(int waiting, int bufferSize) {
      super("journal write queue is full (" + waiting + " rows waiting, buffer " + bufferSize + "): write rejected");
    }
  }

  private record Write<T>(List<T> rows, CompletableFuture<Void> done) {}

  private final int batchSize;
  private final int parallelism;
  private final int bufferSize;
  private final Function<List<T>, CompletionStage<?>> writeBatch;
  private final Executor executor;
  private final ArrayDeque<Write<T>> waiting = new ArrayDeque<>();
  private int waitingRows;
  private int writersBusy;

  /**
   * {@code writeBatch} writes its rows in one transaction; it is called by at most {@code
   * parallelism} writers at once. Writes are completed, and the next batch taken, on {@code executor}.
   */
  JournalWriteBatcher(int batchSize, int parallelism, int bufferSize, Function<List<T>, CompletionStage<?>> writeBatch, Executor executor) {
    if (batchSize < 1 || parallelism < 1 || bufferSize < 1)
      throw new IllegalArgumentException("batchSize, parallelism and bufferSize must be positive: " + batchSize + ", " + parallelism + ", " + bufferSize);
    this.batchSize = batchSize;
    this.parallelism = parallelism;
    this.bufferSize = bufferSize;
    this.writeBatch = writeBatch;
    this.executor = executor;
  }

  /** Queues one write (the rows of one or more atomic writes); completes once they are committed. */
  CompletionStage<Void> submit(List<T> rows) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (rows.isEmpty()) {
      done.complete(null);
      return done;
    }
    boolean startWriter;
    synchronized (this) {
      if (waitingRows + rows.size() > bufferSize && waitingRows > 0) return CompletableFuture.failedFuture(new BufferFullException(waitingRows, bufferSize));
      waiting.add(new Write<>(rows, done));
      waitingRows += rows.size();
      startWriter = writersBusy < parallelism;
      if (startWriter) writersBusy++;
    }
    if (startWriter) writeNext();
    return done;
  }

  /** Rows queued and not yet taken into a batch. */
  synchronized int waitingRows() {
    return waitingRows;
  }

  /** Takes the next batch and writes it, then the next, until the queue is empty; the writer then retires. */
  private void writeNext() {
    List<Write<T>> batch = new ArrayList<>();
    synchronized (this) {
      int rows = 0;
      while (!waiting.isEmpty() && (batch.isEmpty() || rows + waiting.peek().rows().size() <= batchSize)) {
        Write<T> w = waiting.poll();
        rows += w.rows().size();
        batch.add(w);
      }
      waitingRows -= rows;
      if (batch.isEmpty()) {
        writersBusy--;
        return;
      }
    }
    List<T> rows = new ArrayList<>();
    for (Write<T> w : batch) rows.addAll(w.rows());
    JournalMetrics.journalBatchRows.observe(rows.size());
    CompletionStage<?> written;
    try {
      written = writeBatch.apply(rows);
    } catch (RuntimeException e) {
      written = CompletableFuture.failedFuture(e);
    }
    written.whenCompleteAsync((ok, failure) -> {
      for (Write<T> w : batch) {
        if (failure == null) w.done().complete(null);
        else w.done().completeExceptionally(failure);
      }
      writeNext();
    }, executor);
  }
}
