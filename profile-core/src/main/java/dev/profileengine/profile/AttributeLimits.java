package dev.profileengine.profile;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * Caps on one profile's static attributes, so no client can grow a profile, its snapshots and its
 * recovery without bound. Checked on the attributes a write would leave (current merged with the
 * changes, a null value removing its name), before anything is journaled.
 *
 * @param maxCount attributes per profile
 * @param maxBytes names and values as UTF-8 text, summed over the profile's attributes
 * @param maxNameLength characters of one attribute name
 * @param maxValueLength characters of one string value
 */
public record AttributeLimits(int maxCount, int maxBytes, int maxNameLength, int maxValueLength) {
  public AttributeLimits {
    if (maxCount < 1 || maxBytes < 1 || maxNameLength < 1 || maxValueLength < 1)
      throw new IllegalArgumentException("attribute limits must be positive");
  }

  public static AttributeLimits defaults() {
    return new AttributeLimits(100, 16 * 1024, 64, 1024);
  }

  /**
   * The first cap that merging {@code changes} into {@code current} breaks, or null when the write
   * is within every cap. Names and values are checked first (field {@code attributes.<name>}), then
   * the profile's count and size (field {@code attributes}).
   */
  public FieldError check(Map<String, Object> current, Map<String, Object> changes) {
    for (Map.Entry<String, Object> e : changes.entrySet()) {
      String name = e.getKey();
      Object v = e.getValue();
      String field = "attributes." + name;
      if (name == null || name.isBlank() || name.length() > maxNameLength)
        return new FieldError("attributes", "attribute names must be 1 to " + maxNameLength + " characters");
      if (TextChecks.hasControl(name)) return new FieldError(field, "attribute names " + TextChecks.CONTROL);
      // A name that is not Unicode cannot be named in a JSON answer: the field is the attributes.
      if (TextChecks.unpairedSurrogate(name)) return new FieldError("attributes", "attribute names " + TextChecks.UNPAIRED_SURROGATE);
      if (v == null || v instanceof Boolean || v instanceof Long || v instanceof Integer) continue;
      if (v instanceof Double d) {
        if (!Double.isFinite(d)) return new FieldError(field, "must be a finite number");
        continue;
      }
      if (v instanceof String s) {
        // A value is free text: line breaks and tabs may be part of it.
        String badValue = TextChecks.reason(s, maxValueLength, true);
        if (badValue != null) return new FieldError(field, badValue);
        continue;
      }
      return new FieldError(field, "must be a string, number, boolean or null");
    }
    Map<String, Object> next = merged(current, changes);
    if (next.size() > maxCount && next.size() > current.size())
      return new FieldError("attributes", "at most " + maxCount + " attributes per profile: this write would leave " + next.size()
          + " (remove some by setting them to null)");
    long bytes = bytes(next);
    if (bytes > maxBytes && bytes > bytes(current))
      return new FieldError("attributes", "at most " + maxBytes + " bytes of attribute names and values per profile: this write would leave "
          + bytes + " (remove some by setting them to null)");
    return null;
  }

  /** {@code current} with {@code changes} applied: a null value removes the attribute. */
  public static Map<String, Object> merged(Map<String, Object> current, Map<String, Object> changes) {
    Map<String, Object> next = new TreeMap<>(current);
    changes.forEach((k, v) -> {
      if (v == null) next.remove(k);
      else next.put(k, v);
    });
    return next;
  }

  /** The size the byte cap counts: every name and value as UTF-8 text. */
  public static long bytes(Map<String, Object> attributes) {
    long n = 0;
    for (Map.Entry<String, Object> e : attributes.entrySet())
      n += utf8(e.getKey()) + utf8(String.valueOf(e.getValue()));
    return n;
  }

  private static int utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8).length;
  }
}
