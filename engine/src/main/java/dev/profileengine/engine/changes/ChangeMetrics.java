package dev.profileengine.engine.changes;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** The change feed's metrics: catch-up reads and journal pages read by tag. */
public final class ChangeMetrics {
  private ChangeMetrics() {}

  static final Counter changeCatchUps = Counter.builder()
      .name("profile_change_catch_ups_total")
      .help("Change subscriptions that read the journal to catch up with the node's live change read (at the start, after falling behind it, after a failed query)")
      .build();
  static final Counter tagQueries = Counter.builder()
      .name("profile_tag_queries_total")
      .help("Journal pages read by tag (change streams, segment projection), per tag")
      .labelNames("tag")
      .build();

  public static void registerIn(PrometheusRegistry registry) {
    registry.register(changeCatchUps);
    registry.register(tagQueries);
  }
}
