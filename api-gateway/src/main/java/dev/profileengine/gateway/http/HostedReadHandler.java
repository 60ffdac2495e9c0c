package dev.profileengine.gateway.http;

import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.japi.function.Function;
import dev.profileengine.engine.profiles.Profiles;
import dev.profileengine.gateway.auth.AccessControl;
import dev.profileengine.gateway.auth.Scope;
import dev.profileengine.gateway.logging.LogContext;
import dev.profileengine.gateway.wire.Json;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The HTTP server's handler: answers the most frequent request, {@code GET /v1/profiles/{userId}}
 * of a profile hosted on this node, from its kept JSON without the route tree; everything else
 * (other requests, a query, an invalid id, a refusal, a profile not hosted here) goes to the tree.
 *
 * <p>Why: the tree's directives (request id, error handling, timing, access) cost about a fifth of
 * such a read's CPU (JFR, load-tests/BENCHMARKS.md). The access decision taken here travels with
 * the request ({@link HttpAccess#DECIDED}), so a request the tree answers is charged one token too.
 */
public final class HostedReadHandler implements Function<HttpRequest, CompletionStage<HttpResponse>> {
  private final Function<HttpRequest, CompletionStage<HttpResponse>> tree;
  private final Profiles profiles;
  private final HttpAccess access;
  private final DistributionDataPoint okSeconds;

  HostedReadHandler(Function<HttpRequest, CompletionStage<HttpResponse>> tree, Profiles profiles, HttpAccess access, GatewayMetrics metrics) {
    this.tree = tree;
    this.profiles = profiles;
    this.access = access;
    this.okSeconds = metrics.requestSeconds.labelValues(ProfileRoutes.PROFILE_ROUTE, "GET", "200");
  }

  @Override
  public CompletionStage<HttpResponse> apply(HttpRequest request) throws Exception {
    long start = System.nanoTime();
    String userId = ProfileReadPath.userId(request);
    if (userId == null || request.getUri().rawQueryString().isPresent() || !validId(userId)
        || access.open() && !BrowserOrigins.loopbackHost(request)) return tree.apply(request);
    AccessControl.Decision decision = access.check(Scope.READ, request);
    byte[] json = decision instanceof AccessControl.Decision.Allowed ? hostedJson(userId) : null;
    if (json == null) return tree.apply(request.addAttribute(HttpAccess.DECIDED, decision));
    HttpHeader id = LogContext.header(request.getHeader(LogContext.HEADER).map(HttpHeader::value));
    HttpResponse response = HttpResponse.create().addHeader(id).addHeader(ProfileRoutes.NOSNIFF).withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, json));
    okSeconds.observe((System.nanoTime() - start) / 1e9);
    return CompletableFuture.completedFuture(response);
  }

  /** The kept (or now rendered) JSON; null when not hosted here, or when rendering failed (the tree logs and answers it). */
  private byte[] hostedJson(String userId) {
    try {
      return profiles.hostedJson(userId, Json::bytes);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** Whether the id passes the checks the tree makes of it (else the tree answers 400 naming the field). */
  private boolean validId(String userId) {
    return profiles.invalidProfileId("userId", userId).isEmpty();
  }
}
