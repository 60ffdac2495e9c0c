package dev.profileengine.profile;

import static dev.profileengine.profile.Events.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SpendAndRfmTest {
  private static final RfmThresholds T = RfmThresholds.defaults(); // recency 1/7/30/90 d, orders 2/3/5/10, money 100/500/2000/10000
  private static final long DAY = Duration.ofDays(1).toMillis();

  @Test
  void spendSumsPriceTimesQuantity() {
    ProfileSettings s = ProfileSettings.defaults();
    ProfileState p = Events.fold(s,
        Events.purchase("a", T0, 10.5, 2),
        Events.purchase("b", T0.plusSeconds(60), 100, 1),
        Events.event("c", BehaviorType.PURCHASE, T0.plusSeconds(120))); // no price
    Spend.SpendView v = p.view(null, s).spend();
    assertEquals(3, v.orders());
    assertEquals(121.0, v.total(), 1e-9);
    assertEquals(60.5, v.averageOrderValue(), 1e-9, "average over orders that carried a price");
    assertEquals(T0.plusSeconds(120), v.lastPurchase());
  }

  @Test
  void noPurchaseMeansNoRfm() {
    ProfileSettings s = ProfileSettings.defaults();
    assertNull(Events.fold(s, Events.view("a", T0, "c")).view(null, s).spend().rfm());
  }

  @Test
  void recencyScoresAtTheBoundaries() {
    assertEquals(5, Spend.Rfm.score(DAY, 1, 0, T).recencyScore(), "exactly 1 day ago is still 5");
    assertEquals(4, Spend.Rfm.score(DAY + 1, 1, 0, T).recencyScore());
    assertEquals(3, Spend.Rfm.score(30 * DAY, 1, 0, T).recencyScore());
    assertEquals(1, Spend.Rfm.score(91 * DAY, 1, 0, T).recencyScore());
  }

  @Test
  void frequencyAndMonetaryScoresAtTheBoundaries() {
    assertEquals(1, Spend.Rfm.score(0, 1, 99.99, T).frequencyScore());
    assertEquals(2, Spend.Rfm.score(0, 2, 0, T).frequencyScore());
    assertEquals(5, Spend.Rfm.score(0, 10, 0, T).frequencyScore());
    assertEquals(1, Spend.Rfm.score(0, 1, 99.99, T).monetaryScore());
    assertEquals(2, Spend.Rfm.score(0, 1, 100, T).monetaryScore());
    assertEquals(5, Spend.Rfm.score(0, 1, 10_000, T).monetaryScore());
  }

  @Test
  void segmentsFollowTheScores() {
    assertEquals("champions", Spend.Rfm.score(0, 10, 20_000, T).segment());
    assertEquals("R5F5M5", Spend.Rfm.score(0, 10, 20_000, T).code());
    assertEquals("at_risk", Spend.Rfm.score(100 * DAY, 10, 20_000, T).segment());
    assertEquals("new", Spend.Rfm.score(0, 1, 10, T).segment());
    assertEquals("hibernating", Spend.Rfm.score(100 * DAY, 1, 10, T).segment());
  }

  @Test
  void recencyIsMeasuredFromTheReadingTime() {
    ProfileSettings s = ProfileSettings.defaults();
    ProfileState p = Events.fold(s, Events.purchase("a", T0, 10, 1));
    assertEquals(5, p.view(null, s).spend().rfm().recencyScore());
    assertEquals(1, p.view(T0.plus(Duration.ofDays(200)), s).spend().rfm().recencyScore());
  }

  @Test
  void thresholdsMustAscend() {
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> new RfmThresholds(new double[] {1, 7, 3, 90}, new double[] {2, 3, 5, 10}, new double[] {1, 2, 3, 4}));
  }
}
