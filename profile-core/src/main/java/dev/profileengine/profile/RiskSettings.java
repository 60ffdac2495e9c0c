package dev.profileengine.profile;

import java.time.Duration;

/**
 * Thresholds of the anomaly flags of {@link RiskFlags} (config {@code profile.risk}).
 *
 * @param burstMinEvents {@code event_burst} needs more events in the last hour than this ({@code burst.min-events})
 * @param burstFactor ...and more than this many times the user's usual events per active hour ({@code burst.factor})
 * @param travelCountryGap two events in different countries closer in event time than this are
 *     {@code impossible_travel} ({@code travel.min-country-gap})
 * @param travelCityGap the same for different cities ({@code travel.min-city-gap})
 * @param outlierZ a priced purchase more than this many standard deviations from the user's mean
 *     amount is a {@code purchase_amount_outlier} ({@code outlier.z})
 * @param outlierMinPurchases priced purchases needed before amounts are judged ({@code outlier.min-purchases})
 * @param outlierMaxFactor an amount above this many times the largest earlier one is an outlier
 *     too ({@code outlier.max-factor})
 * @param cartWithoutPurchaseCarts {@code cart_without_purchase}: at least this many carts in 7d and
 *     no purchase ({@code cart-without-purchase.carts})
 * @param flagWindow how long (event time) the event-triggered flags (travel, outlier) stay raised
 *     ({@code flag-window})
 */
public record RiskSettings(
    int burstMinEvents,
    double burstFactor,
    Duration travelCountryGap,
    Duration travelCityGap,
    double outlierZ,
    int outlierMinPurchases,
    double outlierMaxFactor,
    int cartWithoutPurchaseCarts,
    Duration flagWindow) {

  public RiskSettings {
    if (burstMinEvents < 1) throw new IllegalArgumentException("profile.risk.burst.min-events must be positive, got " + burstMinEvents);
    if (!(burstFactor >= 1)) throw new IllegalArgumentException("profile.risk.burst.factor must be >= 1, got " + burstFactor);
    if (travelCountryGap.isNegative() || travelCityGap.isNegative())
      throw new IllegalArgumentException("profile.risk.travel gaps must not be negative, got " + travelCountryGap + " and " + travelCityGap);
    if (!(outlierZ > 0)) throw new IllegalArgumentException("profile.risk.outlier.z must be positive, got " + outlierZ);
    if (outlierMinPurchases < 2)
      throw new IllegalArgumentException("profile.risk.outlier.min-purchases must be >= 2, got " + outlierMinPurchases);
    if (!(outlierMaxFactor > 1)) throw new IllegalArgumentException("profile.risk.outlier.max-factor must be > 1, got " + outlierMaxFactor);
    if (cartWithoutPurchaseCarts < 1)
      throw new IllegalArgumentException("profile.risk.cart-without-purchase.carts must be positive, got " + cartWithoutPurchaseCarts);
    if (flagWindow.isNegative() || flagWindow.isZero())
      throw new IllegalArgumentException("profile.risk.flag-window must be positive, got " + flagWindow);
  }

  public static RiskSettings defaults() {
    return new RiskSettings(100, 5.0, Duration.ofHours(2), Duration.ofMinutes(30), 4.0, 5, 10.0, 10, Duration.ofHours(24));
  }
}
