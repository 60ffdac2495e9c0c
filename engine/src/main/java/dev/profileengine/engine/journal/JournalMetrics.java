package dev.profileengine.engine.journal;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** The journal's metrics: rows per transaction, recovery queries skipped. */
public final class JournalMetrics {
  private JournalMetrics() {}

  static final Histogram journalBatchRows = Histogram.builder().name("profile_journal_batch_rows")
      .help("Journal rows written per transaction (the writes of all entities waiting when the journal was free)")
      .classicOnly().classicUpperBounds(1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500)
      .build();

  static final Counter recoveryQueriesSkipped = Counter.builder().name("profile_journal_recovery_queries_skipped_total")
      .help("Recovery queries (latest snapshot, highest sequence number) answered without the database: ids the H2 journal certainly holds nothing for")
      .build();

  public static void registerIn(PrometheusRegistry registry) {
    registry.register(journalBatchRows);
    registry.register(recoveryQueriesSkipped);
  }
}
