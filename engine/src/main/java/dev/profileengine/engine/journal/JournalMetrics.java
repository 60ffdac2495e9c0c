package dev.profileengine.engine.journal;

import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** The journal writer's metrics: rows per transaction. */
public final class JournalMetrics {
  private JournalMetrics() {}

  static final Histogram journalBatchRows = Histogram.builder().name("profile_journal_batch_rows")
      .help("Journal rows written per transaction (the writes of all entities waiting when the journal was free)")
      .classicUpperBounds(1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500)
      .build();

  public static void registerIn(PrometheusRegistry registry) {
    registry.register(journalBatchRows);
  }
}
