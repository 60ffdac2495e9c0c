package dev.profileengine.profile;

import java.time.Duration;
import java.util.Locale;

/**
 * The bounded per-user memory behind the anomaly flags of {@link RiskFlags}, folded per event:
 * how many distinct hours the user was active in, the latest known location, running statistics
 * (Welford) of priced purchase amounts, and the latest trigger of each event-triggered flag.
 *
 * <p>Active hours are counted when an event opens an hour later than any seen so far, so a late
 * event in an hour never seen before is not counted (a slight underestimate of the norm). A late
 * event's location is compared with the latest known location, which it does not replace.
 *
 * @param activeHours distinct event-time hours with activity (see above)
 * @param lastActiveHour the latest of them (epoch hours), {@code Long.MIN_VALUE} before any event
 * @param locationMillis event time of the latest known location, {@code Long.MIN_VALUE} if none
 * @param country latest known country, null if unknown
 * @param city latest known city, null if unknown
 * @param pricedPurchases purchases that carried a price
 * @param amountMean running mean of their amounts (price x quantity)
 * @param amountM2 running sum of squared deviations from the mean (Welford)
 * @param amountMax the largest amount seen
 * @param travel the latest impossible travel, null if none
 * @param outlier the latest outlying purchase amount, null if none
 */
public record RiskSignals(
    long activeHours,
    long lastActiveHour,
    long locationMillis,
    String country,
    String city,
    long pricedPurchases,
    double amountMean,
    double amountM2,
    double amountMax,
    Trigger travel,
    Trigger outlier) {
  private static final long HOUR = Duration.ofHours(1).toMillis();

  /** A flag raised by one event: when (event time) and why. */
  public record Trigger(long atMillis, String reason) {
    static Trigger latest(Trigger current, Trigger candidate) {
      return current == null || candidate.atMillis >= current.atMillis ? candidate : current;
    }

    /** Raised at or before {@code asOfMillis} and no longer ago than {@code windowMillis}. */
    boolean raisedAt(long asOfMillis, long windowMillis) {
      return atMillis <= asOfMillis && asOfMillis - atMillis <= windowMillis;
    }
  }

  // Shared by every empty profile (each live entity also keeps its empty state): copy-on-write.
  private static final RiskSignals EMPTY = new RiskSignals(0, Long.MIN_VALUE, Long.MIN_VALUE, null, null, 0, 0, 0, 0, null, null);

  public static RiskSignals empty() {
    return EMPTY;
  }

  /** Folds one admitted event. */
  public RiskSignals add(BehaviorEvent e, RiskSettings s) {
    long t = e.timeMillis();
    long hour = Math.floorDiv(t, HOUR);
    boolean newHour = hour > lastActiveHour;
    RiskSignals next = new RiskSignals(activeHours + (newHour ? 1 : 0), newHour ? hour : lastActiveHour,
        locationMillis, country, city, pricedPurchases, amountMean, amountM2, amountMax, travel, outlier);
    if (e.context() != null && (e.context().country() != null || e.context().city() != null))
      next = next.located(t, e.context().country(), e.context().city(), s);
    if (e.type() == BehaviorType.PURCHASE && e.price() != null) next = next.purchased(t, e.amount(), s);
    return next;
  }

  private RiskSignals located(long t, String newCountry, String newCity, RiskSettings s) {
    Trigger travelNext = travel;
    if (locationMillis != Long.MIN_VALUE) {
      long gap = Math.abs(t - locationMillis);
      String why = null;
      if (differs(country, newCountry) && gap < s.travelCountryGap().toMillis())
        why = String.format(Locale.ROOT, "country %s -> %s in %.2fh (min %.2fh)", from(t, country, newCountry), to(t, country, newCountry),
            hours(gap), hours(s.travelCountryGap().toMillis()));
      else if (differs(city, newCity) && gap < s.travelCityGap().toMillis())
        why = String.format(Locale.ROOT, "city %s -> %s in %.2fh (min %.2fh)", from(t, city, newCity), to(t, city, newCity),
            hours(gap), hours(s.travelCityGap().toMillis()));
      if (why != null) travelNext = Trigger.latest(travel, new Trigger(Math.max(t, locationMillis), why));
    }
    if (t < locationMillis) return withLocation(locationMillis, country, city, travelNext);
    boolean moved = differs(country, newCountry);
    return withLocation(t, newCountry != null ? newCountry : country, newCity != null ? newCity : moved ? null : city, travelNext);
  }

  private RiskSignals withLocation(long millis, String ctry, String cty, Trigger travelNext) {
    return new RiskSignals(activeHours, lastActiveHour, millis, ctry, cty, pricedPurchases, amountMean, amountM2, amountMax,
        travelNext, outlier);
  }

  /** Judges the amount against the earlier ones, then adds it to the statistics (Welford). */
  private RiskSignals purchased(long t, double amount, RiskSettings s) {
    Trigger outlierNext = outlier;
    if (pricedPurchases >= s.outlierMinPurchases()) {
      double sd = amountStdDev();
      double z = sd > 0 ? (amount - amountMean) / sd : 0;
      String why = null;
      if (Math.abs(z) > s.outlierZ())
        why = String.format(Locale.ROOT, "purchase %.2f is %.1f sd from the mean %.2f of %d", amount, z, amountMean, pricedPurchases);
      else if (amount > s.outlierMaxFactor() * amountMax)
        why = String.format(Locale.ROOT, "purchase %.2f is %.1fx the largest of %d (%.2f)", amount, amount / amountMax, pricedPurchases, amountMax);
      if (why != null) outlierNext = Trigger.latest(outlier, new Trigger(t, why));
    }
    long n = pricedPurchases + 1;
    double delta = amount - amountMean;
    double mean = amountMean + delta / n;
    return new RiskSignals(activeHours, lastActiveHour, locationMillis, country, city, n, mean, amountM2 + delta * (amount - mean),
        pricedPurchases == 0 ? amount : Math.max(amountMax, amount), travel, outlierNext);
  }

  /** Sample standard deviation of the priced purchase amounts, 0 below two. */
  public double amountStdDev() {
    return pricedPurchases < 2 ? 0 : Math.sqrt(amountM2 / (pricedPurchases - 1));
  }

  private static boolean differs(String known, String incoming) {
    return known != null && incoming != null && !known.equals(incoming);
  }

  /** The earlier place of a move, by event time (a late event is the earlier one). */
  private String from(long t, String known, String incoming) {
    return t >= locationMillis ? known : incoming;
  }

  /** The later place of a move, by event time. */
  private String to(long t, String known, String incoming) {
    return t >= locationMillis ? incoming : known;
  }

  private static double hours(long millis) {
    return millis / (double) HOUR;
  }
}
