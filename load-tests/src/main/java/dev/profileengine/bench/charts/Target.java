package dev.profileengine.bench.charts;

/**
 * A target drawn as a dashed line at {@code value}: across the whole chart ({@code group} = {@link #ALL})
 * or, on a bar chart, across one group only (a target relative to that group's own baseline).
 */
public record Target(String label, double value, int group) {
  public static final int ALL = -1;

  public static Target line(String label, double value) {
    return new Target(label, value, ALL);
  }

  public static Target forGroup(String label, double value, int group) {
    return new Target(label, value, group);
  }
}
