package dev.profileengine.gateway.http;

import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import akka.pattern.StatusReply;
import com.fasterxml.jackson.databind.JsonNode;
import dev.profileengine.engine.model.ClusterModels;
import dev.profileengine.engine.model.ModelAssignment;
import dev.profileengine.engine.model.NodeModels;
import dev.profileengine.engine.training.ModelTraining;
import dev.profileengine.engine.training.TrainingLoop;
import dev.profileengine.gateway.auth.Scope;
import dev.profileengine.gateway.wire.Json;
import dev.profileengine.gateway.wire.RequestChecks;
import dev.profileengine.model.ModelLoadException;
import dev.profileengine.model.ModelNotFoundException;
import dev.profileengine.model.registry.EvaluationFile;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * {@code GET /v1/models}: registry versions, what this node serves, pool statistics and online
 * scores, the stored cluster-wide assignment and what every node serves; {@code GET
 * /v1/models/{version}/evaluation}: the version's stored held-out evaluation report. Admin: {@code POST
 * /v1/models/{version}/activate} and {@code PUT|DELETE /v1/models/candidate} load the version on
 * this node first (a missing or corrupt one is a 4xx and nothing changes), then store the assignment
 * for the whole cluster and answer once it is stored; every node applies it within seconds.
 */
public final class ModelRoutes extends AllDirectives {
  private final Optional<ClusterModels> models;
  private final Optional<TrainingLoop> training;
  private final JsonBodies bodies;
  private final HttpAccess access;

  public ModelRoutes(Optional<ClusterModels> models, Optional<TrainingLoop> training, HttpAccess access, JsonBodies bodies) {
    this.bodies = bodies;
    this.models = models;
    this.training = training;
    this.access = access;
  }

  public Route routes() {
    return pathPrefix(PathMatchers.segment("v1").slash("models"), () -> concat(
        pathEndOrSingleSlash(() -> get(() -> access.require(Scope.READ, caller -> withModels(this::describe)))),
        path("train", () -> post(() -> access.require(Scope.ADMIN, caller -> withModels(m -> bodies.read(4096, this::train))))),
        path("candidate", () -> concat(
            put(() -> access.require(Scope.ADMIN, caller -> withModels(m ->
                bodies.read(4096, b -> setCandidate(m, b))))),
            delete(() -> access.require(Scope.ADMIN, caller -> withModels(m -> stored(m::clearCandidate)))))),
        path(PathMatchers.segment().slash("evaluation"), version -> get(() -> access.require(Scope.READ, caller ->
            withModels(m -> evaluation(m, RequestChecks.id("version", version)))))),
        path(PathMatchers.segment().slash("activate"), version -> post(() -> access.require(Scope.ADMIN, caller ->
            withModels(m -> activate(m, RequestChecks.id("version", version))))))));
  }

  private Route activate(ClusterModels m, String version) {
    return stored(() -> m.activate(version));
  }

  /** The version's stored evaluation report as it is; a missing one 404, a corrupt one 422 with the reason. */
  private Route evaluation(ClusterModels m, String version) {
    EvaluationFile.Lookup found;
    try {
      found = m.local().evaluation(version);
    } catch (IllegalArgumentException e) {
      return ErrorHandling.error(StatusCodes.BAD_REQUEST, "version", e.getMessage());
    }
    if (found instanceof EvaluationFile.Found f) return ProfileRoutes.json(StatusCodes.OK, f.report());
    if (found instanceof EvaluationFile.Missing miss) return ErrorHandling.error(StatusCodes.NOT_FOUND, "version", miss.reason());
    return ErrorHandling.error(StatusCodes.UNPROCESSABLE_ENTITY, "version",
        "the evaluation report of " + found.version() + " cannot be read: " + ((EvaluationFile.Unreadable) found).reason());
  }

  private Route withModels(java.util.function.Function<ClusterModels, Route> inner) {
    return models.map(inner).orElseGet(() ->
        ErrorHandling.error(StatusCodes.CONFLICT, null, "predictions are turned off on this node (profile.model.enabled)"));
  }

  private Route describe(ClusterModels m) {
    CompletableFuture<Object> assignment = m.assignment().<Object>thenApply(ModelRoutes::assignmentJson).toCompletableFuture()
        .exceptionally(e -> Map.of("error", "not readable now: " + cause(e).getMessage()));
    CompletableFuture<List<NodeModels.Served>> nodes = m.nodes().toCompletableFuture();
    CompletableFuture<Object> runs = training.map(t -> t.runs().<Object>thenApply(r -> trainingJson(t, r)).toCompletableFuture()
        .exceptionally(e -> Map.of("error", "not readable now: " + cause(e).getMessage()))).orElse(CompletableFuture.completedFuture(null));
    return onSuccess(assignment.thenCombine(nodes, (a, n) -> {
      Map<String, Object> body = new LinkedHashMap<>(m.local().describe());
      body.put("assignment", a);
      body.put("nodes", n);
      return body;
    }).thenCombine(runs, (body, r) -> {
      body.put("training", r);
      return body;
    }), body -> ProfileRoutes.json(StatusCodes.OK, body));
  }

  /** The loop as GET /v1/models shows it: whether this node can train, the rule, the latest runs with their steps. */
  private static Map<String, Object> trainingJson(TrainingLoop t, ModelTraining.Runs runs) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("available", t.unavailable().isEmpty());
    t.unavailable().ifPresent(reason -> m.put("unavailableBecause", reason));
    var rule = t.settings().rule();
    m.put("rule", Map.of("offlineMaxLogLossRatio", rule.offlineMaxLogLossRatio(), "minScored", rule.minScored(),
        "maxLogLossRatio", rule.maxLogLossRatio(), "maxCompare", rule.maxCompare().toString()));
    m.put("candidatePercent", t.settings().candidatePercent());
    m.put("schedule", t.settings().schedule().<Object>map(every -> Map.of("every", every.toString(),
        "nextAt", t.nextScheduled(runs).orElseThrow().toString())).orElse("off"));
    m.put("current", runs.current()); // null when no run is in progress
    m.put("runs", runs.runs());
    return m;
  }

  /**
   * {@code POST /v1/models/train}: body empty or {@code {"since": ISO-8601, "until": ISO-8601}} (event
   * time); 202 with the run as stored, 409 while another run is in progress or when this node cannot train.
   */
  private Route train(byte[] bytes) {
    if (training.isEmpty()) return ErrorHandling.error(StatusCodes.CONFLICT, null, "training is not available: predictions are off");
    Instant since;
    Instant until;
    try {
      JsonNode body = bytes.length == 0 || new String(bytes, java.nio.charset.StandardCharsets.UTF_8).isBlank()
          ? Json.parse("{}".getBytes(java.nio.charset.StandardCharsets.UTF_8)) : Json.parse(bytes);
      if (!body.isObject()) return ErrorHandling.error(StatusCodes.BAD_REQUEST, "body", "must be a JSON object with since and until (or empty), was " + dev.profileengine.gateway.wire.EventJson.kind(body));
      Optional<Route> unknown = unknownField(body, "since", "until");
      if (unknown.isPresent()) return unknown.get();
      since = instant(body, "since");
      until = instant(body, "until");
    } catch (Json.BadJson e) {
      return ErrorHandling.error(StatusCodes.BAD_REQUEST, e.field(), e.getMessage());
    } catch (RequestChecks.Invalid e) {
      return ErrorHandling.error(StatusCodes.BAD_REQUEST, e.field(), e.getMessage());
    }
    CompletionStage<Route> answer = training.get().train(since, until).handle((run, e) -> {
      if (e == null) return ProfileRoutes.json(StatusCodes.ACCEPTED, Map.of("run", run));
      Throwable c = cause(e);
      if (c instanceof TrainingLoop.Refused r)
        return ErrorHandling.error(r.conflict() ? StatusCodes.CONFLICT : StatusCodes.BAD_REQUEST, r.field(), r.getMessage());
      return ErrorHandling.error(StatusCodes.SERVICE_UNAVAILABLE, null, "the training run was not stored: " + c.getMessage());
    });
    return onSuccess(answer, r -> r);
  }

  /** An optional ISO-8601 instant field, null when absent. */
  private static Instant instant(JsonNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) return null;
    if (!v.isTextual()) throw new RequestChecks.Invalid(field, field + ": an ISO-8601 instant is required, e.g. 2017-12-03T00:00:00Z");
    return RequestChecks.instant(field, v.asText());
  }

  /** The 400 naming the first field of {@code body} that is neither {@code a} nor {@code b}, if any. */
  private static Optional<Route> unknownField(JsonNode body, String a, String b) {
    for (var names = body.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!name.equals(a) && !name.equals(b))
        return Optional.of(ErrorHandling.error(StatusCodes.BAD_REQUEST, RequestChecks.shown(name), "unknown field: expected " + a + " and " + b));
    }
    return Optional.empty();
  }

  private Route setCandidate(ClusterModels m, byte[] bytes) {
    JsonNode body;
    try {
      body = Json.parse(bytes);
    } catch (Json.BadJson e) {
      return ErrorHandling.error(StatusCodes.BAD_REQUEST, e.field(), e.getMessage());
    }
    if (!body.isObject()) {
      return ErrorHandling.error(StatusCodes.BAD_REQUEST, "body", "must be a JSON object with version and percent, was "
          + dev.profileengine.gateway.wire.EventJson.kind(body));
    }
    Optional<Route> unknown = unknownField(body, "version", "percent");
    if (unknown.isPresent()) return unknown.get();
    JsonNode version = body.path("version");
    JsonNode percent = body.path("percent");
    if (!version.isTextual()) return ErrorHandling.error(StatusCodes.BAD_REQUEST, "version", "a model version name is required");
    if (!percent.isIntegralNumber() || percent.asLong() < 1 || percent.asLong() > 100)
      return ErrorHandling.error(StatusCodes.BAD_REQUEST, "percent", "an integer 1..100 is required");
    String v = RequestChecks.id("version", version.asText());
    return stored(() -> m.setCandidate(v, percent.asInt()));
  }

  /** Runs a change and answers the stored assignment, or the 4xx/5xx its failure means. */
  private Route stored(Supplier<CompletionStage<ModelAssignment.Assignment>> change) {
    CompletionStage<Route> answer;
    try {
      answer = change.get().handle((a, e) -> e == null
          ? ProfileRoutes.json(StatusCodes.OK, Map.of("assignment", assignmentJson(a))) : failure(cause(e)));
    } catch (RuntimeException e) {
      return failure(e);
    }
    return onSuccess(answer, r -> r);
  }

  private static Route failure(Throwable e) {
    if (e instanceof ModelNotFoundException) return ErrorHandling.error(StatusCodes.NOT_FOUND, "version", e.getMessage());
    if (e instanceof ModelLoadException)
      return ErrorHandling.error(StatusCodes.UNPROCESSABLE_ENTITY, "version", "model cannot be loaded: " + e.getMessage());
    if (e instanceof IllegalArgumentException) return ErrorHandling.error(StatusCodes.BAD_REQUEST, "version", e.getMessage());
    if (e instanceof StatusReply.ErrorMessage) {
      String message = e.getMessage();
      return ErrorHandling.error(StatusCodes.BAD_REQUEST, message.startsWith("percent") ? "percent" : "version", message);
    }
    return ErrorHandling.error(StatusCodes.SERVICE_UNAVAILABLE, null, "the model assignment was not stored: " + e.getMessage());
  }

  private static Throwable cause(Throwable e) {
    return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
  }

  private static Map<String, Object> assignmentJson(ModelAssignment.Assignment a) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("active", a.active());
    m.put("candidate", a.candidate());
    m.put("candidatePercent", a.candidatePercent());
    m.put("revision", a.revision());
    m.put("updatedAt", a.updatedAt() == null ? null : a.updatedAt().toString());
    return m;
  }
}
