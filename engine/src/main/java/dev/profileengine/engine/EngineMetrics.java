package dev.profileengine.engine;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The profile entities' metrics (Prometheus client): entities alive on this node and journal write
 * latency as the entities see it (persist call to write confirmation). The journal and the change
 * feed keep their own ({@code JournalMetrics}, {@code ChangeMetrics}).
 */
public final class EngineMetrics {
  private EngineMetrics() {}

  static final Gauge activeEntities = Gauge.builder().name("profile_active_entities")
      .help("Profile entities alive in this JVM (recovered or recovering)").build();
  static final Histogram journalWriteSeconds = Histogram.builder().name("profile_journal_write_duration_seconds")
      .help("Time from an entity's persist to the journal's confirmation, per write (one or more events)")
      .classicOnly().classicUpperBounds(0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
      .build();

  /**
   * Merges taken by canonical profiles on this node, by way: {@code state} (the merged profile's
   * folded state taken as it is, nothing read), {@code refold} (both histories read and refolded),
   * {@code kept} (the merged profile brought nothing).
   */
  static final Counter absorbs = Counter.builder().name("profile_identity_absorbs_total")
      .help("Merges taken by canonical profiles on this node, by way: state (nothing read), refold (both histories read), kept (nothing brought)")
      .labelNames("way").build();

  static final Gauge readCacheBytes = Gauge.builder().name("profile_read_cache_bytes")
      .help("Bytes of profile JSON kept for reads until each profile's next write (profile.read-cache-heap-share bounds it)").build();

  /** Registers the engine metrics in {@code registry}. */
  public static void registerIn(PrometheusRegistry registry) {
    registry.register(activeEntities);
    registry.register(journalWriteSeconds);
    registry.register(absorbs);
    registry.register(readCacheBytes);
  }
}
