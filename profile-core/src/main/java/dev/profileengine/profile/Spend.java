package dev.profileengine.profile;

import java.time.Duration;
import java.time.Instant;

/**
 * Purchases: order count, money spent and when, plus RFM scores computed on read.
 *
 * @param total sum of price x quantity over purchases that carried a price
 * @param lastPurchaseMillis latest purchase event time, {@code Long.MIN_VALUE} if none
 */
public record Spend(long orders, long pricedOrders, double total, long firstPurchaseMillis, long lastPurchaseMillis) {

  // Shared by every empty profile (each live entity also keeps its empty state): copy-on-write.
  private static final Spend EMPTY = new Spend(0, 0, 0, Long.MAX_VALUE, Long.MIN_VALUE);

  public static Spend empty() {
    return EMPTY;
  }

  public Spend purchase(long timeMillis, Double price, double amount) {
    return new Spend(orders + 1, pricedOrders + (price == null ? 0 : 1), total + amount,
        Math.min(firstPurchaseMillis, timeMillis), Math.max(lastPurchaseMillis, timeMillis));
  }

  public double averageOrderValue() {
    return pricedOrders == 0 ? 0 : total / pricedOrders;
  }

  public SpendView view(long asOfMillis, RfmThresholds thresholds) {
    if (orders == 0) return new SpendView(0, 0, 0, null, null, null);
    return new SpendView(orders, round2(total), round2(averageOrderValue()),
        Instant.ofEpochMilli(firstPurchaseMillis), Instant.ofEpochMilli(lastPurchaseMillis),
        Rfm.score(Math.max(0, asOfMillis - lastPurchaseMillis), orders, total, thresholds));
  }

  static double round2(double v) {
    return Math.round(v * 100.0) / 100.0;
  }

  public record SpendView(long orders, double total, double averageOrderValue, Instant firstPurchase, Instant lastPurchase, Rfm rfm) {}

  /**
   * Recency / frequency / monetary scores 1..5 and the customer segment they imply.
   *
   * @param recencyDays days from the last purchase to the reading time
   * @param frequency lifetime orders
   * @param monetary lifetime spend
   * @param code e.g. {@code "R5F3M2"}
   */
  public record Rfm(double recencyDays, long frequency, double monetary,
                    int recencyScore, int frequencyScore, int monetaryScore, String code, String segment) {

    public static Rfm score(long sinceLastPurchaseMillis, long orders, double total, RfmThresholds t) {
      double days = sinceLastPurchaseMillis / (double) Duration.ofDays(1).toMillis();
      int r = 5;
      while (r > 1 && days > t.recencyDays()[5 - r]) r--;
      int f = ascendingScore(orders, t.frequencyOrders());
      int m = ascendingScore(total, t.monetaryTotal());
      return new Rfm(round2(days), orders, round2(total), r, f, m, "R" + r + "F" + f + "M" + m, segment(r, f, m));
    }

    /** 1 below the first boundary, 5 at or above the last. */
    static int ascendingScore(double value, double[] bounds) {
      int s = 1;
      while (s < 5 && value >= bounds[s - 1]) s++;
      return s;
    }

    /** A common RFM segmentation: champions, loyal, new, promising, at_risk, hibernating, needs_attention. */
    static String segment(int r, int f, int m) {
      if (r >= 4 && f >= 4) return "champions";
      if (f >= 4) return r >= 3 ? "loyal" : "at_risk";
      if (r >= 4) return f == 1 ? "new" : "promising";
      if (r <= 2) return f >= 3 || m >= 4 ? "at_risk" : "hibernating";
      return "needs_attention";
    }
  }
}
