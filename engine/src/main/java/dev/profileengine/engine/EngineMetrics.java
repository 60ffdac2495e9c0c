package dev.profileengine.engine;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The engine's own metrics (Prometheus client), registered by the node into its registry: profile
 * entities alive on this node, journal write latency as the entities see it (persist call to
 * write confirmation), rows per journal transaction, and the change feed's journal reads.
 */
public final class EngineMetrics {
  private EngineMetrics() {}

  static final Gauge activeEntities = Gauge.builder().name("profile_active_entities")
      .help("Profile entities alive in this JVM (recovered or recovering)").build();
  static final Histogram journalWriteSeconds = Histogram.builder().name("profile_journal_write_duration_seconds")
      .help("Time from an entity's persist to the journal's confirmation, per write (one or more events)")
      .classicUpperBounds(0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
      .build();
  static final Histogram journalBatchRows = Histogram.builder().name("profile_journal_batch_rows")
      .help("Journal rows written per transaction (the writes of all entities waiting when the journal was free)")
      .classicUpperBounds(1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500)
      .build();
  static final Counter changeCatchUps = Counter.builder()
      .name("profile_change_catch_ups_total")
      .help("Change subscriptions that read the journal to catch up with the node's live change read (at the start, after falling behind it, after a failed query)")
      .build();
  static final Counter tagQueries = Counter.builder()
      .name("profile_tag_queries_total")
      .help("Journal pages read by tag (change streams, segment projection), per tag")
      .labelNames("tag")
      .build();

  /** Registers the engine metrics in {@code registry}. */
  public static void registerIn(PrometheusRegistry registry) {
    registry.register(activeEntities);
    registry.register(journalWriteSeconds);
    registry.register(journalBatchRows);
    registry.register(changeCatchUps);
    registry.register(tagQueries);
  }
}
