package dev.profileengine.engine.changes;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** The change feed's metrics: catch-up reads, journal pages read by tag, commit waits given up. */
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
  static final Counter tagRowsRead = Counter.builder()
      .name("profile_tag_rows_read_total")
      .help("Journal rows read by tag (change streams, segment projection), per tag; "
          + "profile-change-of-users: the catch-ups of subscriptions that name a few users")
      .labelNames("tag")
      .build();

  static final Counter commitWaitsGivenUp = Counter.builder()
      .name("profile_change_commit_waits_given_up_total")
      .help("PostgreSQL journal writers whose transaction stayed open longer than profile.changes.max-commit-wait: "
          + "the change stream and segment projection stopped waiting for them, and a row they commit later is missed")
      .build();

  public static void registerIn(PrometheusRegistry registry) {
    registry.register(changeCatchUps);
    registry.register(commitWaitsGivenUp);
    registry.register(tagQueries);
    registry.register(tagRowsRead);
  }
}
