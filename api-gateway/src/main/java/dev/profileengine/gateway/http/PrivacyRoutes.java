package dev.profileengine.gateway.http;

import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import com.fasterxml.jackson.databind.JsonNode;
import dev.profileengine.engine.UserProfile;
import dev.profileengine.engine.privacy.ProfileExport;
import dev.profileengine.engine.profiles.Profiles;
import dev.profileengine.gateway.auth.ApiKeys;
import dev.profileengine.gateway.auth.Scope;
import dev.profileengine.gateway.wire.EventJson;
import dev.profileengine.gateway.wire.Json;
import dev.profileengine.profile.Consent;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The privacy API of one profile: {@code GET .../export} (everything stored), {@code DELETE}
 * (forget: journal rows and snapshots removed but a tombstone with the instant, a {@code forgotten}
 * change notified; admin scope)
 * and {@code PUT .../consent} (choices per purpose). Mounted under {@code /v1/profiles/{userId}}.
 */
final class PrivacyRoutes extends AllDirectives {
  private final Profiles profiles;
  private final JsonBodies bodies;
  private final HttpAccess access;

  PrivacyRoutes(Profiles profiles, HttpAccess access, JsonBodies bodies) {
    this.bodies = bodies;
    this.profiles = profiles;
    this.access = access;
  }

  /** The export body: the profile and the journaled events in their wire shapes. */
  record ExportBody(String userId, java.time.Instant exportedAt, Object profile, List<Map<String, Object>> events) {}

  /** The forget answer: the canonical profile erased, whichever of its identities the path named, and its identities. */
  record ForgetBody(String userId, boolean forgotten, int eventsErased, int snapshotsErased, Map<String, List<String>> identities) {}

  Route routes(String userId, java.util.function.BiFunction<String, java.util.function.Function<String, Route>, Route> profileKey) {
    return concat(
        path("export", () -> get(() -> access.require(Scope.READ, caller -> profileKey.apply(userId, this::export)))),
        path("consent", () -> put(() -> access.require(Scope.INGEST, caller -> bodies.read(16L * 1024, bytes -> putConsent(userId, bytes, caller))))),
        pathEndOrSingleSlash(() -> delete(() -> access.require(Scope.ADMIN, caller -> forget(userId)))));
  }

  private Route export(String userId) {
    return onSuccess(profiles.export(userId), found -> HttpRefusals.answer(found, userId, e ->
        ProfileRoutes.json(StatusCodes.OK, new ExportBody(e.userId(), e.exportedAt(), e.profile(),
            e.events().stream().map(PrivacyRoutes::wire).toList()))));
  }

  private Route forget(String userId) {
    return onSuccess(profiles.forget(userId), forgotten -> HttpRefusals.answer(forgotten, userId, f ->
        ProfileRoutes.json(StatusCodes.OK, new ForgetBody(f.userId(), true, f.eventsErased(), f.snapshotsErased(), f.identities()))));
  }

  private Route putConsent(String userId, byte[] bytes, ApiKeys.Caller caller) {
    JsonNode root;
    try {
      root = Json.parse(bytes);
    } catch (Json.BadJson e) {
      return ErrorHandling.error(StatusCodes.BAD_REQUEST, e.field(), e.getMessage());
    }
    if (!root.isObject() || root.isEmpty()) {
      return ErrorHandling.error(StatusCodes.BAD_REQUEST, "body", "expected a JSON object of purposes (analytics, personalization, ads) to true/false, was "
          + (root.isObject() ? "an object naming none" : EventJson.kind(root)));
    }
    Map<Consent.Purpose, Boolean> changes = new EnumMap<>(Consent.Purpose.class);
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> f = it.next();
      Consent.Purpose purpose = Consent.Purpose.parse(f.getKey());
      if (purpose == null) return ErrorHandling.error(StatusCodes.BAD_REQUEST, f.getKey(), "unknown consent purpose: expected analytics, personalization or ads");
      if (!f.getValue().isBoolean()) return ErrorHandling.error(StatusCodes.BAD_REQUEST, f.getKey(), "must be true or false, was " + EventJson.kind(f.getValue()));
      changes.put(purpose, f.getValue().booleanValue());
    }
    return onSuccess(profiles.setConsent(userId, changes), written ->
        HttpRefusals.answer(written, userId, view -> ProfileRoutes.writeAnswer(userId, caller, view)));
  }

  /** One journaled event as {@code {sequenceNr, storedAt, kind, data}}. */
  static Map<String, Object> wire(ProfileExport.StoredEvent stored) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("sequenceNr", stored.sequenceNr());
    m.put("storedAt", stored.storedAt());
    UserProfile.Event e = stored.event();
    // Java 17: type patterns in switch are a preview feature, so instanceof it is.
    if (e instanceof UserProfile.EventRecorded r) put(m, "behavior", EventJson.encode(r.event()));
    else if (e instanceof UserProfile.EventAcknowledged a) put(m, "acknowledged", Map.of("eventId", a.eventId(), "timestamp", a.timestamp()));
    else if (e instanceof UserProfile.AttributesSet a) put(m, "attributes", a.attributes());
    else if (e instanceof UserProfile.PredictionUpdated p) put(m, "prediction", p.prediction());
    else if (e instanceof UserProfile.ConsentSet c) {
      Map<String, Boolean> purposes = new TreeMap<>();
      c.changes().forEach((p, v) -> purposes.put(p.wire(), v));
      put(m, "consent", purposes);
    } else if (e instanceof UserProfile.SegmentsChanged c) {
      put(m, "segments", Map.of("entered", c.entered(), "left", c.left(), "members", c.members()));
    }
    return m;
  }

  private static void put(Map<String, Object> m, String kind, Object data) {
    m.put("kind", kind);
    m.put("data", data);
  }
}
