package dev.profileengine.profile;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Counts of the values seen for one context dimension (device, country...), at most {@code topK}
 * distinct values; values beyond that are counted in {@code other}. Immutable.
 */
public record Distribution(String[] values, long[] counts, long other) {

  // Shared by every empty profile (each live entity also keeps its empty state): copy-on-write.
  private static final Distribution EMPTY = new Distribution(new String[0], new long[0], 0);

  public static Distribution empty() {
    return EMPTY;
  }

  public Distribution add(String value, int topK) {
    if (value == null) return this;
    for (int i = 0; i < values.length; i++) {
      if (values[i].equals(value)) {
        long[] c = counts.clone();
        c[i]++;
        return new Distribution(values, c, other);
      }
    }
    if (values.length >= topK) return new Distribution(values, counts, other + 1);
    String[] v = Arrays.copyOf(values, values.length + 1);
    long[] c = Arrays.copyOf(counts, counts.length + 1);
    v[values.length] = value;
    c[values.length] = 1;
    return new Distribution(v, c, other);
  }

  /** Value -> count, most frequent first, with {@code "other"} last when non-zero. */
  public Map<String, Long> view() {
    Integer[] order = new Integer[values.length];
    for (int i = 0; i < order.length; i++) order[i] = i;
    Arrays.sort(order, (a, b) -> counts[b] != counts[a] ? Long.compare(counts[b], counts[a]) : values[a].compareTo(values[b]));
    Map<String, Long> m = new LinkedHashMap<>();
    for (int i : order) m.put(values[i], counts[i]);
    if (other > 0) m.merge("other", other, Long::sum);
    return m;
  }
}
