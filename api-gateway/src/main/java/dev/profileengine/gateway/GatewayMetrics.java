package dev.profileengine.gateway;

import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Supplier;

/**
 * The node's Prometheus metrics (one registry per node, served at {@code GET /metrics}): ingest
 * events by status, request latency by route, change-stream subscribers, access denials, JVM.
 */
public final class GatewayMetrics extends AllDirectives {
  final PrometheusRegistry registry = new PrometheusRegistry();

  final Counter ingestEvents = Counter.builder().name("profile_ingest_events_total")
      .help("Events received over the API, by outcome (accepted, duplicate, rejected, unconfirmed)")
      .labelNames("status").register(registry);
  final Histogram requestSeconds = Histogram.builder().name("profile_http_request_duration_seconds")
      .help("HTTP request latency until the response starts, by route, method and status")
      .classicUpperBounds(0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
      .labelNames("route", "method", "status").register(registry);
  final Histogram ingestBatchSize = Histogram.builder().name("profile_ingest_batch_events")
      .help("Events per ingest request")
      .classicUpperBounds(1, 10, 50, 100, 250, 500, 1000)
      .register(registry);
  final Gauge changeSubscribers = Gauge.builder().name("profile_change_subscribers")
      .help("Open change-stream subscriptions").register(registry);
  final Counter accessDenied = Counter.builder().name("profile_access_denied_total")
      .help("Requests refused by access control, by reason (unauthorized, forbidden, rate_limited)")
      .labelNames("reason").register(registry);

  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

  public GatewayMetrics() {
    JvmMetrics.builder().register(registry);
  }

  /** Times {@code inner} under the {@code route} label. */
  Route timed(String route, Supplier<Route> inner) {
    return extractRequest(request -> {
      long start = System.nanoTime();
      return mapResponse(response -> {
        requestSeconds.labelValues(route, request.method().name(), Integer.toString(response.status().intValue()))
            .observe((System.nanoTime() - start) / 1e9);
        return response;
      }, inner);
    });
  }

  /** {@code GET /metrics} in the Prometheus text format. */
  Route route() {
    return path("metrics", () -> get(() -> {
      ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
      try {
        writer.write(out, registry.scrape());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return complete(HttpResponse.create().withEntity(HttpEntities.create(
          ContentTypes.parse(PrometheusTextFormatWriter.CONTENT_TYPE), out.toByteArray())));
    }));
  }
}
