package dev.profileengine.gateway.http;

import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import dev.profileengine.engine.node.ProfileEngine;
import dev.profileengine.model.inference.PoolStats;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Supplier;

/**
 * The node's Prometheus metrics (one registry per node, served at {@code GET /metrics}): HTTP
 * request latency by route, access denials (HTTP and gRPC), JVM, and the engine's with its profiles
 * facade's (ingest, reads, admission, change streams: see {@link #bindEngine}).
 */
public final class GatewayMetrics extends AllDirectives {
  final PrometheusRegistry registry = new PrometheusRegistry();

  // Classic buckets only (every histogram of the node): /metrics is the text format, which has no
  // native histograms, and keeping their buckets cost each observation (a read's CPU, JFR).
  final Histogram requestSeconds = Histogram.builder().name("profile_http_request_duration_seconds")
      .help("HTTP request latency until the response starts, by route, method and status")
      .classicOnly().classicUpperBounds(0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
      .labelNames("route", "method", "status").register(registry);
  private final Counter accessDenied = Counter.builder().name("profile_access_denied_total")
      .help("Requests refused by access control, by reason (unauthorized, forbidden, rate_limited)")
      .labelNames("reason").register(registry);

  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

  /** Counts a request refused by access control, by its reason label. */
  public void accessDenied(String reason) {
    accessDenied.labelValues(reason).inc();
  }

  public GatewayMetrics() {
    JvmMetrics.builder().register(registry);
  }

  /**
   * Adds the engine's metrics: active entities, journal write latency, the inference pool (queue
   * depth, batch size, latency, outcomes) and segment member counts, read when scraped.
   */
  public void bindEngine(ProfileEngine engine) {
    engine.registerMetrics(registry);
    engine.models().ifPresent(models -> {
      GaugeWithCallback.builder().name("profile_inference_queue_depth").help("Prediction requests waiting for a batch")
          .callback(cb -> cb.call(models.stats().queueDepth())).register(registry);
      GaugeWithCallback.builder().name("profile_inference_batch_size_mean").help("Mean predictions per forward pass")
          .callback(cb -> cb.call(models.stats().meanBatchSize())).register(registry);
      GaugeWithCallback.builder().name("profile_inference_latency_ms").help("Prediction latency in the pool (request to result), by statistic")
          .labelNames("stat")
          .callback(cb -> {
            PoolStats st = models.stats();
            cb.call(st.meanLatencyMillis(), "mean");
            cb.call(st.p99LatencyMillis(), "p99");
            cb.call(st.maxLatencyMillis(), "max");
          }).register(registry);
      CounterWithCallback.builder().name("profile_inference_requests").help("Prediction requests by outcome")
          .labelNames("outcome")
          .callback(cb -> {
            PoolStats st = models.stats();
            cb.call(st.completed(), "completed");
            cb.call(st.rejected(), "rejected");
            cb.call(st.failed(), "failed");
          }).register(registry);
    });
    GaugeWithCallback.builder().name("profile_segment_members").help("Members per segment (projected read side, counted in the background every profile.health.segment-counts-interval)")
        .labelNames("segment")
        .callback(cb -> {
          // from memory: a scrape never queries the database
          var counts = engine.segmentCounts().latest();
          if (counts == null) return;
          for (var s : engine.settings().segments().segments()) cb.call(counts.value().getOrDefault(s.id(), 0L), s.id());
        }).register(registry);
    CounterWithCallback.builder().name("profile_background_loads").help("Background loads behind the open endpoints, by value (readiness: shard region + one journal query; segment_counts: one query)")
        .labelNames("value")
        .callback(cb -> {
          cb.call(engine.readinessProbes(), "readiness");
          cb.call(engine.segmentCounts().loads(), "segment_counts");
        }).register(registry);
  }

  /** Adds the HTTP server's connections and missed head deadlines. */
  public void bindServer(HttpServer.Stats server) {
    GaugeWithCallback.builder().name("profile_http_connections").help("HTTP connections open on the API port")
        .callback(cb -> cb.call(server.open())).register(registry);
    CounterWithCallback.builder().name("profile_http_header_timeouts").help("HTTP connections closed because a request's headers did not arrive within profile.http.header-timeout")
        .callback(cb -> cb.call(server.headTimeouts())).register(registry);
  }

  public void bindGrpc(dev.profileengine.gateway.grpc.GrpcServer server) {
    GaugeWithCallback.builder().name("profile_grpc_connections").help("gRPC connections open on the gRPC port")
        .callback(cb -> cb.call(server.openConnections())).register(registry);
    CounterWithCallback.builder().name("profile_grpc_preface_timeouts").help("gRPC connections closed because the HTTP/2 preface did not arrive within profile.http.header-timeout")
        .callback(cb -> cb.call(server.prefaceTimeouts())).register(registry);
    CounterWithCallback.builder().name("profile_grpc_header_blocks_refused").help("gRPC connections closed with GOAWAY because a header block passed the size or field-count limit or profile.http.header-timeout")
        .callback(cb -> cb.call(server.headerBlocksRefused())).register(registry);
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
