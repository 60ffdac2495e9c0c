package dev.profileengine.profile;

import java.util.LinkedHashMap;
import java.util.Map;

/** Which requested attribute writes change a profile (so a no-op write stores nothing). */
public final class AttributeChanges {
  private AttributeChanges() {}

  /** The entries of {@code requested} that change {@code current} (null removes a present key), in request order. */
  public static Map<String, Object> effective(Map<String, Object> current, Map<String, Object> requested) {
    Map<String, Object> changes = new LinkedHashMap<>();
    requested.forEach((k, v) -> {
      if (v == null ? current.containsKey(k) : !v.equals(current.get(k))) changes.put(k, v);
    });
    return changes;
  }
}
