package dev.profileengine.gateway.http;

import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import dev.profileengine.engine.model.ModelService;
import dev.profileengine.gateway.auth.Scope;
import dev.profileengine.gateway.wire.RequestChecks;
import dev.profileengine.model.ModelLoadException;
import dev.profileengine.model.ModelNotFoundException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /v1/models}: registry versions, the serving model and candidate, pool statistics and
 * online scores. {@code POST /v1/models/{version}/activate} (admin): load, warm and hot-swap a
 * version with no restart; a missing or corrupt version is a 4xx and the current model keeps serving.
 */
public final class ModelRoutes extends AllDirectives {
  private final Optional<ModelService> models;
  private final HttpAccess access;
  private final java.util.concurrent.Executor blocking;

  public ModelRoutes(Optional<ModelService> models, HttpAccess access, java.util.concurrent.Executor blocking) {
    this.models = models;
    this.access = access;
    this.blocking = blocking;
  }

  public Route routes() {
    return pathPrefix(PathMatchers.segment("v1").slash("models"), () -> concat(
        pathEndOrSingleSlash(() -> get(() -> access.require(Scope.READ, caller -> withModels(m -> ProfileRoutes.json(StatusCodes.OK, m.describe()))))),
        path(PathMatchers.segment().slash("activate"), version -> post(() -> access.require(Scope.ADMIN, caller ->
            activateRoute(RequestChecks.id("version", version)))))));
  }

  private Route activateRoute(String version) {
    return withModels(m -> onSuccess(CompletableFuture.supplyAsync(() -> activate(m, version), blocking), r -> r));
  }

  private Route withModels(java.util.function.Function<ModelService, Route> inner) {
    return models.map(inner).orElseGet(() ->
        ErrorHandling.error(StatusCodes.CONFLICT, null, "predictions are turned off on this node (profile.model.enabled)"));
  }

  private static Route activate(ModelService m, String version) {
    try {
      return ProfileRoutes.json(StatusCodes.OK, Map.of("activated", m.activate(version), "serving", m.servingVersion()));
    } catch (ModelNotFoundException e) {
      return ErrorHandling.error(StatusCodes.NOT_FOUND, "version", e.getMessage());
    } catch (ModelLoadException e) {
      return ErrorHandling.error(StatusCodes.UNPROCESSABLE_ENTITY, "version", "model " + version + " cannot be loaded: " + e.getMessage());
    } catch (IllegalArgumentException e) {
      return ErrorHandling.error(StatusCodes.BAD_REQUEST, "version", e.getMessage());
    }
  }
}
