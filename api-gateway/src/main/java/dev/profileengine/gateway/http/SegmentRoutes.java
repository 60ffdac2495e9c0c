package dev.profileengine.gateway.http;

import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import dev.profileengine.engine.node.ProfileEngine;
import dev.profileengine.gateway.auth.Scope;
import dev.profileengine.gateway.wire.RequestChecks;
import dev.profileengine.profile.segment.Segment;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code GET /v1/segments} (definitions with member counts and the re-evaluation status),
 * {@code GET /v1/segments/{id}/members?limit=&after=} (paginated, from the projected read side) and
 * {@code POST /v1/segments/reevaluate?asOf=} (admin; {@code asOf}: 'now' or an ISO-8601 instant, by
 * default each profile's latest event time).
 */
final class SegmentRoutes extends AllDirectives {
  private static final int MAX_LIMIT = 1000;

  private final ProfileEngine engine;
  private final HttpAccess access;

  SegmentRoutes(ProfileEngine engine, HttpAccess access) {
    this.engine = engine;
    this.access = access;
  }

  record SegmentInfo(String id, String description, String rule, boolean ads, long members) {}

  record SegmentList(List<SegmentInfo> segments, Object reevaluation) {}

  Route routes() {
    return pathPrefix(PathMatchers.segment("v1").slash("segments"), () -> concat(
        pathEndOrSingleSlash(() -> get(() -> access.require(Scope.READ, caller -> list()))),
        path("reevaluate", () -> post(() -> access.require(Scope.ADMIN, caller ->
            parameterOptional("asOf", asOf -> ErrorHandling.instantParam("asOf", asOf, this::reevaluate))))),
        path(PathMatchers.segment().slash("members"), id -> get(() -> access.require(Scope.READ, caller ->
            parameterOptional("limit", limit -> parameterOptional("after", after -> members(id, limit, after))))))));
  }

  private Route list() {
    return onSuccess(engine.segments().counts(), counts -> ProfileRoutes.json(StatusCodes.OK, new SegmentList(
        engine.settings().segments().segments().stream()
            .map(s -> new SegmentInfo(s.id(), s.description(), s.rule().text(), s.ads(), counts.getOrDefault(s.id(), 0L)))
            .toList(),
        engine.reevaluation().status())));
  }

  private Route members(String id, Optional<String> limitParam, Optional<String> after) {
    RequestChecks.id("segmentId", id);
    after.ifPresent(a -> RequestChecks.id("after", a));
    if (engine.settings().segments().segments().stream().map(Segment::id).noneMatch(id::equals)) {
      return ErrorHandling.error(StatusCodes.NOT_FOUND, "segmentId", "no segment '" + id + "'");
    }
    return ErrorHandling.intParam("limit", limitParam, 100, 1, MAX_LIMIT, limit ->
        onSuccess(engine.segments().members(id, after.orElse(null), limit), page -> ProfileRoutes.json(StatusCodes.OK, page)));
  }

  /** Re-evaluates every profile as of {@code asOf} (null: each profile's latest event time). */
  private Route reevaluate(java.time.Instant asOf) {
    boolean started = engine.reevaluation().start(asOf, "requested");
    return ProfileRoutes.json(started ? StatusCodes.ACCEPTED : StatusCodes.CONFLICT,
        Map.of("started", started, "status", engine.reevaluation().status()));
  }
}
