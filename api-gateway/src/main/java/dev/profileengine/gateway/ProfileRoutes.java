package dev.profileengine.gateway;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import akka.http.javadsl.unmarshalling.Unmarshaller;
import akka.util.ByteString;
import com.fasterxml.jackson.databind.JsonNode;
import dev.profileengine.engine.UserProfile;
import dev.profileengine.engine.node.ProfileEngine;
import dev.profileengine.gateway.auth.AccessControl;
import dev.profileengine.gateway.auth.Scope;
import dev.profileengine.profile.EventResult;
import dev.profileengine.profile.ProfileView;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The HTTP API: ingest, profile reads, attributes, health and readiness. */
public final class ProfileRoutes extends AllDirectives {
  private final ProfileEngine engine;
  private final GatewaySettings http;
  private final IngestService ingest;
  private final ClusterSharding sharding;
  private final ProfileReader reader;
  private final ChangeRoutes changes;
  private final ModelRoutes models;
  private final PrivacyRoutes privacy;
  private final SegmentRoutes segments;
  private final dev.profileengine.model.recommend.RecommendWeights recommendWeights;
  private final int maxRecommendations;
  private final AccessControl access;

  private final GatewayMetrics metrics;

  public ProfileRoutes(ProfileEngine engine, GatewaySettings http, AccessControl access, GatewayMetrics metrics,
                       IngestService ingest, InFlightLimit reads, SubscriberLimit subscribers) {
    this.engine = engine;
    this.access = access;
    this.metrics = metrics;
    this.http = http;
    ActorSystem<?> system = engine.system();
    this.ingest = ingest;
    this.sharding = ClusterSharding.get(system);
    this.models = new ModelRoutes(engine.models(), access, system.dispatchers().lookup(akka.actor.typed.DispatcherSelector.blocking()));
    this.privacy = new PrivacyRoutes(system, engine.settings(), access);
    this.segments = new SegmentRoutes(engine, access);
    com.typesafe.config.Config rec = system.settings().config().getConfig("profile.recommendations");
    this.recommendWeights = new dev.profileengine.model.recommend.RecommendWeights(
        rec.getDouble("weights.model"), rec.getDouble("weights.interest"), rec.getDouble("weights.popular"));
    this.maxRecommendations = rec.getInt("max-k");
    this.reader = new ProfileReader(system, engine.settings(), metrics, reads);
    this.changes = new ChangeRoutes(dev.profileengine.engine.changes.ChangeFeed.get(system), access, metrics, http.changes(), ChangeSubscription.stoppingSignal(system), subscribers);
  }

  /** The ingest response body. */
  public record IngestResponse(long accepted, long duplicates, long rejected, long unconfirmed, List<EventResult> results) {}

  public Route routes() {
    // The hot routes (ingest, profile reads) first: every alternative tried before the one that
    // matches costs its directives on every request. Every response carries X-Request-Id.
    return dev.profileengine.gateway.logging.LogContext.withRequestId(() -> ErrorHandling.wrap(() -> concat(
        pathPrefix("v1", () -> concat(
            path("events", () -> post(() -> metrics.timed("events", () ->
                access.require(Scope.INGEST, caller -> body(http.maxBodyBytes(), bytes -> postEvents(caller, bytes)))))),
            pathPrefix("profiles", () -> pathPrefix(PathMatchers.segment(), userId -> validUserId(userId, () -> concat(
                pathEndOrSingleSlash(() -> get(() -> metrics.timed("profile", () -> access.require(Scope.READ, caller ->
                    parameterOptional("asOf", asOf -> getProfile(userId, asOf)))))),
                path("attributes", () -> put(() -> metrics.timed("attributes", () -> access.require(Scope.INGEST, caller ->
                    body(64 * 1024, bytes -> putAttributes(userId, bytes, caller)))))),
                path("recommendations", () -> get(() -> metrics.timed("recommendations", () -> access.require(Scope.READ, caller ->
                    parameterOptional("k", k -> recommendations(userId, k)))))),
                metrics.timed("privacy", () -> privacy.routes(userId, this::body)))))))),
        path("health", () -> get(() -> json(StatusCodes.OK, Map.of("status", "ok")))),
        path("ready", () -> get(() -> onSuccess(engine.ready(), ready -> ready
            ? json(StatusCodes.OK, readiness())
            : json(StatusCodes.SERVICE_UNAVAILABLE, Map.of("status", "not ready"))))),
        metrics.route(),
        path("openapi.yaml", () -> get(() -> getFromResource("openapi/openapi.yaml",
            akka.http.javadsl.model.ContentTypes.create(akka.http.javadsl.model.MediaTypes.applicationWithOpenCharset("yaml"), akka.http.javadsl.model.HttpCharsets.UTF_8)))),
        metrics.timed("changes", changes::routes),
        metrics.timed("models", models::routes),
        metrics.timed("segments", segments::routes))));
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

  private Route body(long limit, java.util.function.Function<byte[], Route> inner) {
    return withSizeLimit(limit, () -> entity(Unmarshaller.entityToByteString(), (ByteString b) -> inner.apply(b.toArray())));
  }

  private Route postEvents(dev.profileengine.gateway.auth.ApiKeys.Caller caller, byte[] body) {
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
    metrics.ingestBatchSize.observe(elements.size());
    // The rate limit counts events: the request paid one token, the batch's other events pay theirs.
    if (elements.size() > 1 && access.charge(caller, elements.size() - 1) instanceof AccessControl.Decision.Denied no) {
      return access.refuse(no);
    }
    return onSuccess(ingest.ingest(elements), outcome -> {
      IngestResponse response = new IngestResponse(outcome.count(EventResult.ACCEPTED), outcome.count(EventResult.DUPLICATE),
          outcome.count(EventResult.REJECTED), outcome.count(IngestService.UNCONFIRMED), outcome.results());
      metrics.ingestEvents.labelValues(EventResult.ACCEPTED).inc(response.accepted());
      metrics.ingestEvents.labelValues(EventResult.DUPLICATE).inc(response.duplicates());
      metrics.ingestEvents.labelValues(EventResult.REJECTED).inc(response.rejected());
      metrics.ingestEvents.labelValues(IngestService.UNCONFIRMED).inc(response.unconfirmed());
      if (outcome.shed()) {
        metrics.admissionRefused.labelValues("events").inc();
        return respondWithHeader(retryAfter(), () -> json(StatusCodes.SERVICE_UNAVAILABLE, response));
      }
      return json(outcome.complete() ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE, response);
    });
  }

  private Route getProfile(String userId, Optional<String> asOfParam) {
    return ErrorHandling.instantParam("asOf", asOfParam, at -> readProfile(userId, at, profile -> profile
        .map(view -> json(StatusCodes.OK, view))
        .orElseGet(() -> ErrorHandling.error(StatusCodes.NOT_FOUND, "userId", "no profile for user '" + userId + "'"))));
  }

  /** The profile's view as {@link ProfileReader#read} gives it; a read refused by the node's read bound is a 503 with Retry-After. */
  private Route readProfile(String userId, java.time.Instant asOf, java.util.function.Function<Optional<ProfileView>, Route> inner) {
    return onSuccess(reader.read(userId, asOf), read -> read instanceof ProfileReader.Read.Refused refused
        ? respondWithHeader(retryAfter(), () -> ErrorHandling.error(StatusCodes.SERVICE_UNAVAILABLE, null, refused.reason()))
        : inner.apply(((ProfileReader.Read.Found) read).view()));
  }

  private Route putAttributes(String userId, byte[] body, dev.profileengine.gateway.auth.ApiKeys.Caller caller) {
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
      int maxName = engine.settings().attributeLimits().maxNameLength();
      int maxValue = engine.settings().attributeLimits().maxValueLength();
      if (key.isBlank() || key.length() > maxName) return ErrorHandling.error(StatusCodes.BAD_REQUEST, field, "attribute names must be 1 to " + maxName + " characters");
      if (v.isNull()) attributes.put(key, null);
      else if (v.isTextual() && v.textValue().length() <= maxValue) attributes.put(key, v.textValue());
      else if (v.isBoolean()) attributes.put(key, v.booleanValue());
      else if (v.isIntegralNumber() && v.canConvertToLong()) attributes.put(key, v.longValue());
      else if (v.isNumber() && Double.isFinite(v.doubleValue())) attributes.put(key, v.doubleValue());
      else return ErrorHandling.error(StatusCodes.BAD_REQUEST, field, "must be a string (at most " + maxValue + " characters), number, boolean or null, was " + EventJson.kind(v));
    }
    return onSuccess(entity(userId).<UserProfile.ProfileReply>ask(r -> new UserProfile.SetAttributes(attributes, r), engine.settings().askTimeout()),
        reply -> reply.refused() != null ? ErrorHandling.error(StatusCodes.BAD_REQUEST, reply.refused().field(), reply.refused().reason())
            : reply.profile().map(view -> writeAnswer(userId, caller, view))
                .orElseGet(() -> ErrorHandling.error(StatusCodes.SERVICE_UNAVAILABLE, "userId", "the profile is being forgotten: retry")));
  }

  /** The answer to a write (attributes, consent): see {@link #writeAnswer}. */
  public record WriteAck(String userId, boolean acknowledged) {}

  /**
   * A write answers with the profile only to a key that may also read it; an ingest-only key gets
   * an acknowledgement, so writing never reads past the key's scope.
   */
  static Route writeAnswer(String userId, dev.profileengine.gateway.auth.ApiKeys.Caller caller, ProfileView view) {
    return caller.may(Scope.READ) ? json(StatusCodes.OK, view) : json(StatusCodes.OK, new WriteAck(userId, true));
  }

  private Route recommendations(String userId, Optional<String> kParam) {
    return ErrorHandling.intParam("k", kParam, 10, 1, maxRecommendations, k -> recommendations(userId, k));
  }

  private Route recommendations(String userId, int top) {
    dev.profileengine.model.recommend.Popularity popularity = engine.models()
        .map(dev.profileengine.engine.model.ModelService::popularity)
        .orElseGet(dev.profileengine.model.registry.ModelRegistry::defaultPopularity);
    return readProfile(userId, null, profile -> profile
            .map(view -> json(StatusCodes.OK, dev.profileengine.engine.model.ProfileRecommendations.of(view, popularity, recommendWeights, top)))
            .orElseGet(() -> ErrorHandling.error(StatusCodes.NOT_FOUND, "userId", "no profile for user '" + userId + "'")));
  }

  /** The Retry-After of a refusal: one setting for events and reads. */
  private akka.http.javadsl.model.HttpHeader retryAfter() {
    return akka.http.javadsl.model.headers.RetryAfter.create(InFlightLimit.seconds(http.admission().retryAfter()));
  }

  /** Every route under /v1/profiles/{userId}: the id checked once, as gRPC checks it (RequestChecks). */
  private Route validUserId(String userId, java.util.function.Supplier<Route> inner) {
    RequestChecks.id("userId", userId);
    return inner.get();
  }

  private EntityRef<UserProfile.Command> entity(String userId) {
    return sharding.entityRefFor(UserProfile.ENTITY_KEY, userId);
  }

  static Route json(StatusCode status, Object body) {
    return new AllDirectives() {}.complete(HttpResponse.create().withStatus(status)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, Json.bytes(body))));
  }
}
