package dev.profileengine.engine.profiles;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * What {@link Profiles} counts, whichever protocol called it: ingest events by status and batch
 * size, profile reads by source, admission refusals and bounds, change-stream subscribers, their
 * refusals, lag and server-side closes. One instance per facade (a node), registered in the node's
 * registry by {@link #registerIn}.
 */
public final class ProfileMetrics {
  final Counter ingestEvents = Counter.builder().name("profile_ingest_events_total")
      .help("Events received over the API, by outcome (accepted, duplicate, rejected, unconfirmed)")
      .labelNames("status").build();
  final Histogram ingestBatchSize = Histogram.builder().name("profile_ingest_batch_events")
      .help("Events per ingest request")
      .classicOnly().classicUpperBounds(1, 10, 50, 100, 250, 500, 1000)
      .build();
  final Gauge changeSubscribers = Gauge.builder().name("profile_change_subscribers")
      .help("Open change-stream subscriptions").build();
  final Histogram changeLagSeconds = Histogram.builder().name("profile_change_lag_seconds")
      .help("Change-stream lag: from the journal write of a change to its delivery to a subscriber")
      .classicOnly().classicUpperBounds(0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 300)
      .build();
  final Counter changeStreamsClosed = Counter.builder().name("profile_change_streams_closed_total")
      .help("Change streams closed by the server, by reason (too_slow)")
      .labelNames("reason").build();
  final Counter profileReads = Counter.builder().name("profile_reads_total")
      .help("Profile reads (GET profile, recommendations, gRPC GetProfile) by where they were answered: hosted (the state of an entity alive on this node, no message), entity (asked through sharding) or unknown (an id the embedded journal certainly holds nothing for: not found, no entity started)")
      .labelNames("source").build();
  final Counter admissionRefused = Counter.builder().name("profile_admission_refused_total")
      .help("Requests refused by admission control (503 with Retry-After, nothing stored), by kind (events, reads)")
      .labelNames("kind").build();
  final Counter subscribersRefused = Counter.builder().name("profile_change_subscribers_refused_total")
      .help("Change-stream subscriptions refused by the subscriber caps (HTTP 429, gRPC RESOURCE_EXHAUSTED), by limit (max-subscribers, max-subscribers-per-key)")
      .labelNames("limit").build();

  final Counter identityLinks = Counter.builder().name("profile_identity_links_total")
      .help("Identify and unmerge calls (explicit or carried by events) by kind (identify, unmerge) and outcome (merged: profiles joined, linked: already one profile, cached: an event's link made lately on this node, blocked: an event's identities an unmerge split apart, not linked, refused, conflict, not_linked, split)")
      .labelNames("kind", "outcome").build();
  final Counter identityLinkCacheClears = Counter.builder().name("profile_identity_link_cache_clears_total")
      .help("Clears of the node's cache of links events carried lately, by source (local: a forget or unmerge on this node; topic: the cluster-wide message a forget or unmerge on any node sends)")
      .labelNames("source").build();
  final Histogram identityLinkSeconds = Histogram.builder().name("profile_identity_link_seconds")
      .help("Time of an identify that merged profiles, or of an unmerge, from the call to the canonical profile's answer")
      .classicOnly().classicUpperBounds(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
      .labelNames("kind").build();

  /** Where a profile read was answered: the {@code source} label of {@code profile_reads_total}. */
  enum ReadSource {
    HOSTED("hosted"), ENTITY("entity"), UNKNOWN("unknown");

    final String label;

    ReadSource(String label) {
      this.label = label;
    }
  }

  // Resolved once: a read is counted on the hottest path of the node.
  private final CounterDataPoint[] readsBySource = java.util.Arrays.stream(ReadSource.values())
      .map(s -> profileReads.labelValues(s.label)).toArray(CounterDataPoint[]::new);

  /** Counts a profile read by where it was answered. */
  void profileRead(ReadSource source) {
    readsBySource[source.ordinal()].inc();
  }

  /** Registers these metrics, and gauges of the admission {@code limits} (in flight and bound now, by kind). */
  void registerIn(PrometheusRegistry registry, List<InFlightLimit> limits, FairDispatch dispatch) {
    registry.register(ingestEvents);
    registry.register(ingestBatchSize);
    registry.register(changeSubscribers);
    registry.register(changeLagSeconds);
    registry.register(changeStreamsClosed);
    registry.register(profileReads);
    registry.register(admissionRefused);
    registry.register(subscribersRefused);
    registry.register(identityLinks);
    registry.register(identityLinkSeconds);
    registry.register(identityLinkCacheClears);
    admissionGauge(registry, "profile_admission_in_flight", "Work handed to entities and not yet answered, by kind (events, reads)",
        InFlightLimit::inFlight, limits);
    admissionGauge(registry, "profile_admission_limit", "Admission bound on work in flight now (it adapts), by kind (0: unbounded)",
        InFlightLimit::limit, limits);
    GaugeWithCallback.builder().name("profile_ingest_dispatch_events")
        .help("Events of admitted ingest requests by state: out (handed to entities, not yet answered) or waiting (for their caller's turn)")
        .labelNames("state").callback(cb -> {
          cb.call(dispatch.out(), "out");
          cb.call(dispatch.waiting(), "waiting");
        }).register(registry);
  }

  private static void admissionGauge(PrometheusRegistry registry, String name, String help, ToLongFunction<InFlightLimit> value,
                                     List<InFlightLimit> limits) {
    GaugeWithCallback.builder().name(name).help(help).labelNames("kind")
        .callback(cb -> {
          for (InFlightLimit l : limits) cb.call(value.applyAsLong(l), l.name());
        }).register(registry);
  }
}
