package dev.profileengine.profile.segment;

import java.util.List;

/**
 * A dotted path into the {@link SegmentFacts} of a profile, e.g. {@code counts.30d.purchase}: a
 * known root and the segments below it.
 *
 * @param root one of {@link #ROOTS}
 * @param rest the segments after the root, possibly none
 */
public record FactPath(String root, List<String> rest) {
  /** The roots a rule may refer to; anything else is rejected when the rule is parsed. */
  public static final List<String> ROOTS = List.of("counts", "eventCount", "sessions", "interest", "spend", "rfm", "recency",
      "context", "attributes", "prediction", "churn", "flags");

  public FactPath {
    rest = List.copyOf(rest);
  }

  /** The segment at {@code index} below the root, null if the path is shorter. */
  public String at(int index) {
    return index < rest.size() ? rest.get(index) : null;
  }

  /** The path as written, e.g. {@code "counts.30d.purchase"}. */
  public String text() {
    return rest.isEmpty() ? root : root + "." + String.join(".", rest);
  }
}
