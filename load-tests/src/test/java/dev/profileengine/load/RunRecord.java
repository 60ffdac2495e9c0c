package dev.profileengine.load;

import java.util.concurrent.atomic.AtomicReference;

/** The ingest totals of the last simulation run in this JVM, for the in-process smoke test. */
final class RunRecord {
  private RunRecord() {}

  record Totals(long batches, long accepted, long duplicates, long rejected) {}

  static final AtomicReference<Totals> LAST_INGEST = new AtomicReference<>();

  static void publish(Scenarios.IngestTotals t) {
    LAST_INGEST.set(new Totals(t.batches.get(), t.accepted.get(), t.duplicates.get(), t.rejected.get()));
  }
}
