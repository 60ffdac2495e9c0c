package dev.profileengine.engine.serialization;

import akka.serialization.jackson.JacksonMigration;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.profileengine.profile.BehaviorHistory;
import dev.profileengine.profile.BehaviorType;
import dev.profileengine.profile.RecentBehavior;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Snapshot migrations of {@link dev.profileengine.profile.ProfileState}. The state keeps per-type
 * counters in arrays indexed by {@link BehaviorType} ordinal ({@code counts.lifetime} and the
 * bucket-major {@code counts.minutes/hours/days.counts}), so a snapshot only means something with
 * the type list it was written with:
 *
 * <ul>
 *   <li>version 1 (written before stable manifests, by Akka's jackson-cbor): no type list; it was
 *       written with {@link #V1_TYPES}, added here;
 *   <li>version 2: the snapshot carries {@value #TYPES_FIELD}, the type names in array order;
 *   <li>version 6 added {@code history}, the model's whole-history counters
 *       ({@link BehaviorHistory}), kept empty while {@code recent} holds every behavior. An older
 *       snapshot of a profile with more behaviors than its window has only that window left of the
 *       history, so its counters are rebuilt from the window (the best available: counts start from
 *       at most 50 behaviors and grow exactly from there).
 * </ul>
 *
 * Every read then re-indexes the arrays by type name to this build's {@link BehaviorType} order:
 * a type added since counts 0, no count moves to another type. A stored type this build does not
 * know (a downgrade, a renamed type) fails the read instead of guessing. Used by
 * {@link StableCborSerializer} and, for journals written before it, by Akka's jackson-cbor
 * ({@code akka.serialization.jackson.migrations} in engine-serialization.conf).
 */
public final class ProfileStateMigration extends JacksonMigration {
  /** The field of a snapshot that names the behavior type of each array slot. */
  public static final String TYPES_FIELD = "behaviorTypes";
  /** The types, in ordinal order, of every snapshot written before they carried their list. Never changes. */
  static final List<String> V1_TYPES = List.of("VIEW", "CLICK", "FAVORITE", "CART", "PURCHASE", "SEARCH");
  private static final String[] SERIES = {"minutes", "hours", "days"};
  private static final String HISTORY_FIELD = "history";

  @Override
  public int currentVersion() {
    return 6;
  }

  @Override
  public JsonNode transform(int fromVersion, JsonNode json) {
    if (fromVersion > currentVersion())
      throw new IllegalStateException("profile snapshot version " + fromVersion + " is newer than this build reads (" + currentVersion() + ")");
    ObjectNode state = (ObjectNode) json;
    if (fromVersion < 2) state.set(TYPES_FIELD, names(V1_TYPES));
    // 3 added forgottenMillis and changedSinceForgotten: absent reads as never forgotten; 4 added
    // links: absent reads as a profile without linked identities; 5 added links.blocked: absent
    // reads as nothing blocked (no unmerge was remembered before it).
    if (fromVersion < 6 && state.path("eventCount").asLong() > state.path("recent").path("items").size()) rebuildHistory(state);
    return align(state, currentTypes());
  }

  /** This build's behavior types in ordinal order. */
  public static List<String> currentTypes() {
    return Arrays.stream(BehaviorType.values()).map(Enum::name).toList();
  }

  /**
   * Sets {@code history} to the fold of the snapshot's {@code recent} behaviors (named types), as
   * {@link BehaviorHistory} serializes: the counters a profile keeping only that window would have.
   */
  static void rebuildHistory(ObjectNode state) {
    List<RecentBehavior> recent = new ArrayList<>();
    JsonNode items = state.path("recent").path("items");
    for (JsonNode b : items) {
      JsonNode cat = b.get("categoryId");
      recent.add(new RecentBehavior(BehaviorType.valueOf(b.get("type").asText()), cat == null || cat.isNull() ? null : cat.asText(),
          b.get("epochMillis").asLong()));
    }
    BehaviorHistory h = BehaviorHistory.of(recent);
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode n = f.objectNode();
    n.put("count", h.count());
    n.put("latestMillis", h.latestMillis());
    n.put("lastType", h.lastType());
    n.put("lastCategory", h.lastCategory());
    n.put("typeRun", h.typeRun());
    n.put("categoryRun", h.categoryRun());
    n.put("sessionLength", h.sessionLength());
    n.set("types", longs(h.types()));
    n.set("transitions", longs(h.transitions()));
    ArrayNode cats = f.arrayNode();
    for (String c : h.categories()) cats.add(c);
    n.set("categories", cats);
    ArrayNode rows = f.arrayNode();
    for (long[] row : h.categoryTypes()) rows.add(longs(row));
    n.set("categoryTypes", rows);
    state.set(HISTORY_FIELD, n);
  }

  private static ArrayNode longs(long[] values) {
    ArrayNode a = JsonNodeFactory.instance.arrayNode(values.length);
    for (long v : values) a.add(v);
    return a;
  }

  static ArrayNode names(List<String> types) {
    ArrayNode a = JsonNodeFactory.instance.arrayNode();
    types.forEach(a::add);
    return a;
  }

  /**
   * Removes {@value #TYPES_FIELD} from {@code state} and re-indexes its per-type arrays from that
   * order to {@code target}. Public so a test can show what adding a type would do.
   */
  public static ObjectNode align(ObjectNode state, List<String> target) {
    JsonNode stored = state.remove(TYPES_FIELD);
    if (stored == null || !stored.isArray()) throw new IllegalStateException("profile snapshot without " + TYPES_FIELD);
    List<String> from = new ArrayList<>();
    stored.forEach(t -> from.add(t.asText()));
    if (from.equals(target)) return state;
    // The history's counters are keyed by ordinal too; refold them from the window, keyed by name.
    if (state.path(HISTORY_FIELD).path("count").asLong() > 0) rebuildHistory(state);
    int[] slot = new int[from.size()]; // stored index -> target index
    for (int i = 0; i < from.size(); i++) {
      slot[i] = target.indexOf(from.get(i));
      if (slot[i] < 0)
        throw new IllegalStateException("profile snapshot counts behavior type " + from.get(i) + ", unknown to this build (types " + target + ")");
    }
    JsonNode counts = state.get("counts");
    if (counts == null || counts.isNull()) return state;
    ObjectNode c = (ObjectNode) counts;
    c.set("lifetime", remap((ArrayNode) c.get("lifetime"), from.size(), target.size(), slot));
    for (String series : SERIES) {
      ObjectNode s = (ObjectNode) c.get(series);
      if (s != null) s.set("counts", remap((ArrayNode) s.get("counts"), from.size(), target.size(), slot));
    }
    return state;
  }

  /** Rows of {@code width} values (bucket-major) re-indexed into rows of {@code targetWidth}, zero-filled. */
  private static ArrayNode remap(ArrayNode values, int width, int targetWidth, int[] slot) {
    if (values.size() % width != 0)
      throw new IllegalStateException("profile snapshot array of " + values.size() + " counters is not a multiple of " + width + " types");
    int rows = values.size() / width;
    long[] out = new long[rows * targetWidth];
    for (int r = 0; r < rows; r++)
      for (int i = 0; i < width; i++) out[r * targetWidth + slot[i]] = values.get(r * width + i).asLong();
    ArrayNode a = JsonNodeFactory.instance.arrayNode(out.length);
    for (long v : out) a.add(v);
    return a;
  }
}
