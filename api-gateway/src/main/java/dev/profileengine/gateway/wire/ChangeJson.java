package dev.profileengine.gateway.wire;

import dev.profileengine.engine.changes.ChangeFeed.ProfileChanged;
import dev.profileengine.engine.changes.ProfileChange;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A change as the JSON of the SSE {@code profile-changed} event (and gRPC's {@code changes_json}):
 * the typed change rendered to the field names clients have always parsed.
 */
public final class ChangeJson {
  private ChangeJson() {}

  /** The wire shape: field order and names are the API. */
  private record Wire(long offset, String userId, Instant at, String cause, List<String> eventIds, Map<String, Object> changes) {}

  /** The whole {@code profile-changed} payload. */
  public static String render(ProfileChanged c) {
    // Milliseconds, whatever the source: a row's write time is in ms, a merge's or erasure's own instant finer.
    return new String(Json.bytes(new Wire(c.offset(), c.userId(), c.at().truncatedTo(java.time.temporal.ChronoUnit.MILLIS), c.cause(), c.eventIds(), changes(c.change()))), StandardCharsets.UTF_8);
  }

  /** The {@code changes} object alone. */
  public static String changesJson(ProfileChange change) {
    return new String(Json.bytes(changes(change)), StandardCharsets.UTF_8);
  }

  static Map<String, Object> changes(ProfileChange change) {
    if (change instanceof ProfileChange.BehaviorApplied b) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("type", b.type().wire());
      m.put("eventTime", b.eventTime());
      if (b.itemId() != null) m.put("itemId", b.itemId());
      if (b.categoryId() != null) m.put("categoryId", b.categoryId());
      if (b.brand() != null) m.put("brand", b.brand());
      if (b.amount() != null) m.put("amount", b.amount());
      return m;
    }
    if (change instanceof ProfileChange.AttributesChanged a) return Map.of("attributes", a.attributes());
    if (change instanceof ProfileChange.PredictionChanged p) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("modelVersion", p.modelVersion());
      m.put("asOfEventCount", p.asOfEventCount());
      m.put("nextBehavior", p.nextBehavior());
      m.put("predictedBehavior", p.predictedBehavior());
      m.put("nextCategories", p.nextCategories());
      return m;
    }
    if (change instanceof ProfileChange.ConsentChanged c) {
      Map<String, Object> purposes = new TreeMap<>();
      c.purposes().forEach((p, v) -> purposes.put(p.wire(), v));
      return Map.of("consent", purposes);
    }
    if (change instanceof ProfileChange.SegmentsChanged s) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("entered", s.entered());
      m.put("left", s.left());
      m.put("segments", s.members());
      return m;
    }
    if (change instanceof ProfileChange.Merged m) return Map.of("canonical", m.canonical(), "merged", m.merged(), "identities", m.identities());
    if (change instanceof ProfileChange.Unmerged u) return Map.of("canonical", u.canonical(), "split", u.split(), "identities", u.identities());
    // acknowledged (the id only), forgotten: nothing more to say
    return Map.of();
  }
}
