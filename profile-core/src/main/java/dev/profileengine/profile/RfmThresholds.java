package dev.profileengine.profile;

/**
 * Score boundaries for RFM, each four ascending boundaries splitting the scale into scores 1..5.
 *
 * @param recencyDays a last purchase at most {@code recencyDays[0]} days ago scores 5, at most
 *     {@code [1]} scores 4, ... older than {@code [3]} scores 1
 * @param frequencyOrders at least {@code [3]} orders scores 5, at least {@code [2]} scores 4, ...
 *     fewer than {@code [0]} scores 1
 * @param monetaryTotal at least {@code [3]} spent scores 5, ... less than {@code [0]} scores 1
 */
public record RfmThresholds(double[] recencyDays, double[] frequencyOrders, double[] monetaryTotal) {

  public RfmThresholds {
    check("recencyDays", recencyDays);
    check("frequencyOrders", frequencyOrders);
    check("monetaryTotal", monetaryTotal);
  }

  public static RfmThresholds defaults() {
    return new RfmThresholds(
        new double[] {1, 7, 30, 90},
        new double[] {2, 3, 5, 10},
        new double[] {100, 500, 2_000, 10_000});
  }

  private static void check(String name, double[] bounds) {
    if (bounds.length != 4) throw new IllegalArgumentException("rfm." + name + " needs 4 boundaries, got " + bounds.length);
    for (int i = 1; i < 4; i++)
      if (bounds[i] < bounds[i - 1]) throw new IllegalArgumentException("rfm." + name + " boundaries must ascend");
  }
}
