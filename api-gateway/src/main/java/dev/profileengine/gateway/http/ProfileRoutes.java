package dev.profileengine.gateway.http;

import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import com.fasterxml.jackson.databind.JsonNode;
import dev.profileengine.engine.node.ProfileEngine;
import dev.profileengine.engine.profiles.Linked;
import dev.profileengine.engine.profiles.Outcome;
import dev.profileengine.engine.profiles.Profiles;
import dev.profileengine.gateway.auth.AccessControl;
import dev.profileengine.gateway.auth.ApiKeys;
import dev.profileengine.gateway.auth.Scope;
import dev.profileengine.gateway.wire.EventJson;
import dev.profileengine.gateway.wire.IdentityWire;
import dev.profileengine.gateway.wire.Json;
import dev.profileengine.profile.EventResult;
import dev.profileengine.profile.ProfileView;
import dev.profileengine.profile.identity.IdentityClaim;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The HTTP API: ingest, identity links, profile reads, attributes, cluster members and shards,
 * health and readiness. A thin adapter over {@link Profiles} and {@link ProfileEngine}: decode and
 * check the request, call the facade, map its outcome to a status.
 */
public final class ProfileRoutes extends AllDirectives {
  private final ProfileEngine engine;
  private final Profiles profiles;
  private final Limits http;
  private final JsonBodies bodies;
  private final ChangeRoutes changes;
  private final ModelRoutes models;
  private final PrivacyRoutes privacy;
  private final SegmentRoutes segments;
  private final ConsoleRoutes console;
  private final HttpAccess access;
  private final GatewayMetrics metrics;

  /** What the routes take from the node's HTTP settings. */
  public record Limits(long maxBodyBytes, java.time.Duration bodyTimeout, int maxEventsPerRequest, int maxAttributes, java.time.Duration changeHeartbeat) {}

  public ProfileRoutes(ProfileEngine engine, Limits http, HttpAccess access, GatewayMetrics metrics) {
    this.engine = engine;
    this.profiles = engine.profiles();
    this.access = access;
    this.metrics = metrics;
    this.http = http;
    this.bodies = new JsonBodies(http.bodyTimeout());
    this.models = new ModelRoutes(engine.clusterModels(), engine.training(), access, bodies);
    this.privacy = new PrivacyRoutes(profiles, access, bodies);
    this.segments = new SegmentRoutes(engine, access);
    this.changes = new ChangeRoutes(profiles, access, http.changeHeartbeat());
    this.console = new ConsoleRoutes();
  }

  /** Largest identify or unmerge body: a claim is a few short ids. */
  private static final long IDENTITY_BODY_BYTES = 16 * 1024;

  /** The {@code route} label of a profile read's request metric, whichever handler answers it. */
  static final String PROFILE_ROUTE = "profile";

  /** The ingest response body. */
  public record IngestResponse(long accepted, long duplicates, long rejected, long unconfirmed, List<EventResult> results) {}

  /** The server's handler: hosted profile reads answered in front of {@link #routes}, which answers the rest. */
  public akka.japi.function.Function<akka.http.javadsl.model.HttpRequest, java.util.concurrent.CompletionStage<HttpResponse>> handler(
      akka.actor.ClassicActorSystemProvider system) {
    return new HostedReadHandler(routes().handler(system), profiles, access, metrics);
  }

  public Route routes() {
    // The hot routes (ingest, profile reads) first: every alternative tried before the one that
    // matches costs its directives on every request. Every response carries X-Request-Id.
    return respondWithDefaultHeader(NOSNIFF, () -> dev.profileengine.gateway.logging.LogContext.withRequestId(() -> ErrorHandling.wrap(() -> BrowserOrigins.sameSite(access.open(), () -> onceEach(() -> concat(
        profileReads(),
        pathPrefix("v1", () -> concat(
            path("events", () -> post(() -> metrics.timed("events", () ->
                access.require(Scope.INGEST, caller -> bodies.read(http.maxBodyBytes(), bytes -> postEvents(caller, bytes)))))),
            path("identify", () -> post(() -> metrics.timed("identify", () ->
                access.require(Scope.INGEST, caller -> bodies.read(IDENTITY_BODY_BYTES, this::identify))))),
            pathPrefix("profiles", () -> pathPrefix(PathMatchers.segment(), userId -> validUserId(userId, () -> concat(
                // Served by profileReads() in front; here so that other methods are answered 405.
                pathEndOrSingleSlash(() -> get(() -> extractRequest(request -> readProfile(userId, request)))),
                path("attributes", () -> put(() -> metrics.timed("attributes", () -> access.require(Scope.INGEST, caller ->
                    bodies.read(64 * 1024, bytes -> putAttributes(userId, bytes, caller)))))),
                path("recommendations", () -> get(() -> metrics.timed("recommendations", () -> access.require(Scope.READ, caller ->
                    parameterOptional("k", k -> profileKey(userId, key -> recommendations(key, k))))))),
                path("unmerge", () -> post(() -> metrics.timed("unmerge", () -> access.require(Scope.INGEST, caller ->
                    bodies.read(IDENTITY_BODY_BYTES, bytes -> unmerge(userId, bytes)))))),
                metrics.timed("privacy", () -> privacy.routes(userId, this::profileKey)))))),
            path(PathMatchers.segment("cluster").slash("shards"), () -> get(() -> metrics.timed("shards", () ->
                access.require(Scope.READ, caller -> onSuccess(profiles.shardOwners(), owners -> json(StatusCodes.OK, owners)))))),
            path(PathMatchers.segment("cluster").slash("members"), () -> get(() -> metrics.timed("members", () ->
                access.require(Scope.READ, caller -> onSuccess(engine.members(), members -> json(StatusCodes.OK, members)))))))),
        path("health", () -> get(() -> json(StatusCodes.OK, Map.of("status", "ok")))),
        path("ready", () -> get(() -> onSuccess(engine.ready(), ready -> ready
            ? json(StatusCodes.OK, readiness())
            : json(StatusCodes.SERVICE_UNAVAILABLE, Map.of("status", "not ready"))))),
        metrics.route(),
        path("openapi.yaml", () -> get(() -> getFromResource("openapi/openapi.yaml",
            akka.http.javadsl.model.ContentTypes.create(akka.http.javadsl.model.MediaTypes.applicationWithOpenCharset("yaml"), akka.http.javadsl.model.HttpCharsets.UTF_8)))),
        metrics.timed("changes", changes::routes),
        metrics.timed("models", models::routes),
        metrics.timed("segments", segments::routes),
        metrics.timed("console", console::routes)))))));
  }

  /** On every answer: a browser never guesses another type than the one declared (JSON as HTML). */
  static final akka.http.javadsl.model.HttpHeader NOSNIFF = akka.http.javadsl.model.headers.RawHeader.create("X-Content-Type-Options", "nosniff");

  /**
   * A query parameter given twice is refused naming it (asOf=now&asOf=garbage): which one a route
   * would take is not for the client to guess. Only {@code userId} is a list (the change stream's users).
   */
  private static Route onceEach(java.util.function.Supplier<Route> inner) {
    return D.extractUri(uri -> {
      if (uri.rawQueryString().isEmpty()) return inner.get();
      java.util.Set<String> seen = new java.util.HashSet<>();
      for (akka.japi.Pair<String, String> p : uri.query().toList()) {
        if (seen.add(p.first()) || p.first().equals("userId")) continue;
        // Named only when it is a plain name: a query may carry anything.
        String field = p.first().matches("[A-Za-z][A-Za-z0-9_.-]{0,63}") ? p.first() : "query";
        return ErrorHandling.error(StatusCodes.BAD_REQUEST, field, field.equals("query") && !p.first().equals("query")
            ? "a query parameter is given more than once" : "query parameter " + field + " is given more than once");
      }
      return inner.get();
    });
  }

  /**
   * {@code GET /v1/profiles/{userId}} that {@link HostedReadHandler} passed on (not hosted here, a
   * query, a refusal), matched by hand ahead of the directive tree: every directive a request passes
   * allocates per request (JFR, load-tests/BENCHMARKS.md). Anything else falls through to the tree.
   */
  private Route profileReads() {
    return extractRequest(request -> {
      String userId = ProfileReadPath.userId(request);
      return userId == null ? reject() : readProfile(userId, request);
    });
  }

  private Route readProfile(String userId, akka.http.javadsl.model.HttpRequest request) {
    return validUserId(userId, () -> metrics.timed(PROFILE_ROUTE, () -> access.require(Scope.READ, request, caller -> {
      akka.http.javadsl.model.Query query = request.getUri().query();
      return profileKey(userId, query.get("identity"), key -> getProfile(key, query.get("asOf")));
    })));
  }

  /**
   * Ready; "degraded" when predictions come from the Markov fallback because no model loaded. The
   * journal and which failures an accepted event survives ({@link dev.profileengine.engine.journal.JournalDurability}).
   */
  private Map<String, Object> readiness() {
    Map<String, Object> ready = new java.util.LinkedHashMap<>(engine.models()
        .map(m -> Map.<String, Object>of("status", "ready", "model", m.servingVersion(), "mode", m.degraded() ? "degraded" : "normal"))
        .orElse(Map.of("status", "ready", "model", "off")));
    ready.put("journal", engine.durability().journal());
    ready.put("durability", engine.durability().durability());
    return ready;
  }

  private Route postEvents(ApiKeys.Caller caller, byte[] body) {
    JsonNode root;
    try {
      root = Json.parse(body);
    } catch (Json.BadJson e) {
      return ErrorHandling.error(StatusCodes.BAD_REQUEST, e.field(), e.getMessage());
    }
    List<JsonNode> elements = new ArrayList<>();
    if (root.isArray()) {
      if (root.size() > http.maxEventsPerRequest()) {
        return ErrorHandling.error(StatusCodes.PAYLOAD_TOO_LARGE, "body",
            "batch of " + root.size() + " events exceeds the limit of " + http.maxEventsPerRequest() + " per request");
      }
      for (Iterator<JsonNode> it = root.elements(); it.hasNext(); ) elements.add(it.next());
    } else if (root.isObject()) {
      elements.add(root);
    } else {
      return ErrorHandling.error(StatusCodes.BAD_REQUEST, "body", "expected a JSON event object or an array of events, was " + EventJson.kind(root));
    }
    // The rate limit counts events: the request paid one token, the batch's other events pay theirs.
    if (elements.size() > 1 && access.charge(caller, elements.size() - 1) instanceof AccessControl.Decision.Denied no) {
      return access.refuse(no);
    }
    return onSuccess(profiles.record(caller.capKey(), elements.stream().map(e -> EventJson.decode(e, profiles::resolveIdentities)).toList()), recorded -> {
      IngestResponse response = new IngestResponse(recorded.count(EventResult.ACCEPTED), recorded.count(EventResult.DUPLICATE),
          recorded.count(EventResult.REJECTED), recorded.count(EventResult.UNCONFIRMED), recorded.results());
      if (recorded.shed()) {
        return HttpRefusals.withRetryAfter(recorded.refused(), () -> json(HttpRefusals.status(recorded.refused().reason()), response));
      }
      if (recorded.complete()) return json(StatusCodes.OK, response);
      // Some events unconfirmed (a profile busy or slow): resending them is safe, and soon is fine.
      return respondWithHeader(akka.http.javadsl.model.headers.RetryAfter.create(1L), () -> json(StatusCodes.SERVICE_UNAVAILABLE, response));
    });
  }

  /**
   * The profile key a per-profile read names: the path's id, or with {@code ?identity=type:value}
   * the profile that identity is linked to (the facade hashes personal values).
   */
  private Route profileKey(String id, java.util.function.Function<String, Route> inner) {
    return parameterOptional("identity", identity -> profileKey(id, identity, inner));
  }

  private Route profileKey(String id, Optional<String> identity, java.util.function.Function<String, Route> inner) {
    // Empty is absent, as gRPC's empty identity field is.
    Outcome<String> key = profiles.profileKey(id, identity.filter(i -> !i.isEmpty()).orElse(null));
    return key instanceof Outcome.Ok<String> ok ? inner.apply(ok.value()) : HttpRefusals.refused(((Outcome.Refused<String>) key).refusal());
  }

  private Route identify(byte[] body) {
    return withClaim(body, claim -> onSuccess(profiles.identify(claim), linked -> linkedAnswer(linked, claim, null)));
  }

  private Route unmerge(String profileId, byte[] body) {
    return withClaim(body, claim -> onSuccess(profiles.unmerge(profileId, claim), linked -> linkedAnswer(linked, claim, profileId)));
  }

  private Route withClaim(byte[] body, java.util.function.Function<IdentityClaim, Route> inner) {
    IdentityWire.Read read;
    try {
      read = IdentityWire.claim(Json.parse(body));
    } catch (Json.BadJson e) {
      return ErrorHandling.error(StatusCodes.BAD_REQUEST, e.field(), e.getMessage());
    }
    if (read.error() != null) return ErrorHandling.error(StatusCodes.BAD_REQUEST, read.error().field(), read.error().reason());
    return inner.apply(read.claim());
  }

  /** 200 with where the identities ended, the refusal, or (unmerge) 404 naming the identity that is not linked. */
  private static Route linkedAnswer(Outcome<Linked> outcome, IdentityClaim claim, String profileId) {
    if (outcome instanceof Outcome.Ok<Linked> ok) return json(StatusCodes.OK, IdentityWire.LinkedBody.of(ok.value()));
    if (outcome instanceof Outcome.Refused<Linked> no) return HttpRefusals.refused(no.refusal());
    return ErrorHandling.error(StatusCodes.NOT_FOUND, IdentityWire.field(claim),
        IdentityWire.named(claim) + " is not linked to the profile of '" + profileId + "'");
  }

  private Route getProfile(String userId, Optional<String> asOfParam) {
    if (asOfParam.isEmpty()) {
      byte[] hosted = profiles.hostedJson(userId, Json::bytes);
      if (hosted != null) return json(StatusCodes.OK, hosted);
    }
    return ErrorHandling.instantParam("asOf", asOfParam, at ->
        onSuccess(profiles.view(userId, at), read -> HttpRefusals.answer(read, userId, view -> json(StatusCodes.OK, view))));
  }

  private Route putAttributes(String userId, byte[] body, ApiKeys.Caller caller) {
    JsonNode root;
    try {
      root = Json.parse(body);
    } catch (Json.BadJson e) {
      return ErrorHandling.error(StatusCodes.BAD_REQUEST, e.field(), e.getMessage());
    }
    if (!root.isObject()) return ErrorHandling.error(StatusCodes.BAD_REQUEST, "body", "expected a JSON object of attributes, was " + EventJson.kind(root));
    if (root.size() > http.maxAttributes()) return ErrorHandling.error(StatusCodes.BAD_REQUEST, "body", "at most " + http.maxAttributes() + " attributes per request");
    Map<String, Object> attributes = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      String key = f.getKey();
      JsonNode v = f.getValue();
      String field = "attributes." + key;
      int maxName = profiles.attributeLimits().maxNameLength();
      int maxValue = profiles.attributeLimits().maxValueLength();
      if (key.isBlank() || key.length() > maxName) return ErrorHandling.error(StatusCodes.BAD_REQUEST, field, "attribute names must be 1 to " + maxName + " characters");
      if (v.isNull()) attributes.put(key, null);
      else if (v.isTextual() && v.textValue().length() <= maxValue) attributes.put(key, v.textValue());
      else if (v.isBoolean()) attributes.put(key, v.booleanValue());
      else if (v.isIntegralNumber() && v.canConvertToLong()) attributes.put(key, v.longValue());
      else if (v.isNumber() && Double.isFinite(v.doubleValue())) attributes.put(key, v.doubleValue());
      else if (v.isTextual()) return ErrorHandling.error(StatusCodes.BAD_REQUEST, field, "is " + v.textValue().length() + " characters long, at most " + maxValue + " allowed");
      else if (v.isNumber()) return ErrorHandling.error(StatusCodes.BAD_REQUEST, field, "must be a finite number");
      else return ErrorHandling.error(StatusCodes.BAD_REQUEST, field, "must be a string (at most " + maxValue + " characters), number, boolean or null, was " + EventJson.kind(v));
    }
    return onSuccess(profiles.setAttributes(userId, attributes), written -> HttpRefusals.answer(written, userId, view -> writeAnswer(userId, caller, view)));
  }

  /** The answer to a write (attributes, consent): see {@link #writeAnswer}. */
  public record WriteAck(String userId, boolean acknowledged) {}

  /**
   * A write answers with the profile only to a key that may also read it; an ingest-only key gets
   * an acknowledgement, so writing never reads past the key's scope.
   */
  static Route writeAnswer(String userId, ApiKeys.Caller caller, ProfileView view) {
    return caller.may(Scope.READ) ? json(StatusCodes.OK, view) : json(StatusCodes.OK, new WriteAck(userId, true));
  }

  private Route recommendations(String userId, Optional<String> kParam) {
    return ErrorHandling.intParam("k", kParam, 10, 1, profiles.maxRecommendations(), k ->
        onSuccess(profiles.recommendations(userId, k), found -> HttpRefusals.answer(found, userId, r -> json(StatusCodes.OK, r))));
  }

  /** Every route under /v1/profiles/{userId}: the id checked once, as gRPC checks it (by the facade). */
  private Route validUserId(String userId, java.util.function.Supplier<Route> inner) {
    return profiles.invalidProfileId("userId", userId).map(HttpRefusals::refused).orElseGet(inner);
  }

  private static final AllDirectives D = new AllDirectives() {};

  public static Route json(StatusCode status, Object body) {
    return json(status, Json.bytes(body));
  }

  static Route json(StatusCode status, byte[] body) {
    HttpResponse response = HttpResponse.create().withStatus(status).withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
    // Completed as it is: complete() would run a response through marshalling and content
    // negotiation, which a ready response passes unchanged (2% of a profile read's CPU, JFR).
    scala.concurrent.Future<akka.http.scaladsl.server.RouteResult> done =
        scala.concurrent.Future.successful(new akka.http.scaladsl.server.RouteResult.Complete((akka.http.scaladsl.model.HttpResponse) response));
    return akka.http.javadsl.server.directives.RouteAdapter.apply(ctx -> done);
  }
}
