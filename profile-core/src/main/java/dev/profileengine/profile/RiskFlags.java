package dev.profileengine.profile;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The anomaly flags of a profile as of an instant, in a fixed order:
 *
 * <ul>
 *   <li>{@value #EVENT_BURST}: more events in the last hour (the 1h window) than
 *       {@code max(burst.min-events, burst.factor x usual rate)}, the usual rate being the user's
 *       events before that hour per earlier active hour; clears as the hour passes.
 *   <li>{@value #IMPOSSIBLE_TRAVEL}: two events in different countries (cities) closer in event
 *       time than {@code travel.min-country-gap} ({@code min-city-gap}); raised for
 *       {@code flag-window} after the later of the two.
 *   <li>{@value #PURCHASE_AMOUNT_OUTLIER}: a priced purchase more than {@code outlier.z} standard
 *       deviations from the mean of the user's earlier ones, or above {@code outlier.max-factor}
 *       times the largest, once there were {@code outlier.min-purchases}; raised for
 *       {@code flag-window} after it.
 *   <li>{@value #CART_WITHOUT_PURCHASE}: at least {@code cart-without-purchase.carts} carts in the
 *       7d window and no purchase.
 * </ul>
 */
public final class RiskFlags {
  public static final String EVENT_BURST = "event_burst";
  public static final String IMPOSSIBLE_TRAVEL = "impossible_travel";
  public static final String PURCHASE_AMOUNT_OUTLIER = "purchase_amount_outlier";
  public static final String CART_WITHOUT_PURCHASE = "cart_without_purchase";
  /** Every flag name, for validating references to flags. */
  public static final Set<String> NAMES = Set.of(EVENT_BURST, IMPOSSIBLE_TRAVEL, PURCHASE_AMOUNT_OUTLIER, CART_WITHOUT_PURCHASE);

  private RiskFlags() {}

  /** The flags raised as of {@code asOfMillis}. */
  public static List<Flag> evaluate(ProfileState p, long asOfMillis, RiskSettings s) {
    List<Flag> out = new ArrayList<>(2);
    if (p.eventCount() == 0) return out;
    RiskSignals r = p.risk();
    long lastHour = total(p.counts().count(WindowCounts.Window.H1, asOfMillis));
    double usual = (p.eventCount() - lastHour) / (double) Math.max(1, r.activeHours() - 1);
    double threshold = Math.max(s.burstMinEvents(), s.burstFactor() * usual);
    if (lastHour > threshold)
      out.add(new Flag(EVENT_BURST, String.format(Locale.ROOT, "%d events in the last hour, usual %.1f per active hour (threshold %.0f)",
          lastHour, usual, threshold)));
    long window = s.flagWindow().toMillis();
    if (r.travel() != null && r.travel().raisedAt(asOfMillis, window)) out.add(new Flag(IMPOSSIBLE_TRAVEL, r.travel().reason()));
    if (r.outlier() != null && r.outlier().raisedAt(asOfMillis, window))
      out.add(new Flag(PURCHASE_AMOUNT_OUTLIER, r.outlier().reason()));
    long[] week = p.counts().count(WindowCounts.Window.D7, asOfMillis);
    long carts = week[BehaviorType.CART.ordinal()];
    if (carts >= s.cartWithoutPurchaseCarts() && week[BehaviorType.PURCHASE.ordinal()] == 0)
      out.add(new Flag(CART_WITHOUT_PURCHASE, carts + " carts and no purchase in 7d"));
    return out;
  }

  static long total(long[] counts) {
    long sum = 0;
    for (long c : counts) sum += c;
    return sum;
  }
}
