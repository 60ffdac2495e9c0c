package dev.profileengine.profile;

import static dev.profileengine.profile.Events.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RiskFlagsTest {
  private static final ProfileSettings S = ProfileSettings.defaults(); // burst 100 / 5x, travel 2h / 30m, outlier z 4 after 5 or 10x max, 10 carts, window 24h

  private static List<String> names(ProfileState p, Instant asOf) {
    return p.flags(p.readingMillis(asOf), S).stream().map(Flag::name).toList();
  }

  private static String reason(ProfileState p, String name) {
    return p.flags(p.lastEventMillis(), S).stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow().reason();
  }

  private static ProfileState fold(List<BehaviorEvent> events) {
    return Events.fold(S, events.toArray(BehaviorEvent[]::new));
  }

  @Test
  void anEventBurstIsFlaggedAndClearsAsTheHourPasses() {
    List<BehaviorEvent> burst = new ArrayList<>();
    for (int i = 0; i < 150; i++) burst.add(Events.view("b" + i, T0.plusSeconds(2L * i), "c"));
    ProfileState p = fold(burst);
    assertEquals(List.of(RiskFlags.EVENT_BURST), names(p, null));
    assertTrue(reason(p, RiskFlags.EVENT_BURST).startsWith("150 events in the last hour"), reason(p, RiskFlags.EVENT_BURST));
    assertEquals(List.of(), names(p, T0.plus(Duration.ofHours(2))), "cleared once the hour has passed");
  }

  @Test
  void aHeavyButSteadyUserIsNoBurst() {
    List<BehaviorEvent> events = new ArrayList<>();
    // 150 events in each of 10 different hours: 150 in the last hour is this user's norm
    for (int h = 0; h < 10; h++)
      for (int i = 0; i < 150; i++) events.add(Events.view("e" + h + "-" + i, T0.plus(Duration.ofHours(3L * h)).plusSeconds(10L * i), "c"));
    assertEquals(List.of(), names(fold(events), null));
    List<BehaviorEvent> normal = new ArrayList<>();
    for (int i = 0; i < 30; i++) normal.add(Events.view("n" + i, T0.plusSeconds(60L * i), "c"));
    assertEquals(List.of(), names(fold(normal), null), "30 events in an hour is below the minimum");
  }

  @Test
  void aCountryChangeFasterThanTravelIsImpossibleTravelForTheFlagWindow() {
    ProfileState p = Events.fold(S,
        Events.at(Events.view("a", T0, "c"), "CN", "Beijing"),
        Events.at(Events.view("b", T0.plus(Duration.ofHours(1)), "c"), "US", "New York"));
    assertEquals(List.of(RiskFlags.IMPOSSIBLE_TRAVEL), names(p, null));
    assertEquals("country CN -> US in 1.00h (min 2.00h)", reason(p, RiskFlags.IMPOSSIBLE_TRAVEL));
    Instant raised = T0.plus(Duration.ofHours(1));
    assertEquals(List.of(RiskFlags.IMPOSSIBLE_TRAVEL), names(p, raised.plus(Duration.ofHours(23))), "still raised within 24h");
    assertEquals(List.of(), names(p, raised.plus(Duration.ofHours(25))), "cleared after the window");
    assertEquals(List.of(), names(p, T0), "not raised before it happened");
  }

  @Test
  void cityChangesAndPlausibleTravel() {
    ProfileState fast = Events.fold(S,
        Events.at(Events.view("a", T0, "c"), "CN", "Beijing"),
        Events.at(Events.view("b", T0.plus(Duration.ofMinutes(10)), "c"), "CN", "Shanghai"));
    assertEquals("city Beijing -> Shanghai in 0.17h (min 0.50h)", reason(fast, RiskFlags.IMPOSSIBLE_TRAVEL));
    ProfileState plausible = Events.fold(S,
        Events.at(Events.view("a", T0, "c"), "CN", "Beijing"),
        Events.at(Events.view("b", T0.plus(Duration.ofHours(1)), "c"), "CN", "Shanghai"),
        Events.at(Events.view("c", T0.plus(Duration.ofHours(4)), "c"), "US", "New York"),
        Events.view("d", T0.plus(Duration.ofHours(4)), "c"), // no location: ignored
        Events.at(Events.view("e", T0.plus(Duration.ofHours(5)), "c"), "US", null));
    assertEquals(List.of(), names(plausible, null));
  }

  @Test
  void aLateEventFromElsewhereIsComparedWithTheLatestLocation() {
    ProfileState p = Events.fold(S,
        Events.at(Events.view("a", T0, "c"), "US", "New York"),
        Events.at(Events.view("late", T0.minus(Duration.ofMinutes(20)), "c"), "CN", "Beijing"));
    assertEquals("country CN -> US in 0.33h (min 2.00h)", reason(p, RiskFlags.IMPOSSIBLE_TRAVEL));
    assertEquals("US", p.risk().country(), "the late event does not move the user");
  }

  private static List<BehaviorEvent> usualPurchases() {
    List<BehaviorEvent> events = new ArrayList<>();
    double[] prices = {100, 110, 90, 105, 95, 100};
    for (int i = 0; i < prices.length; i++) events.add(Events.purchase("p" + i, T0.plus(Duration.ofDays(i)), prices[i], 1));
    return events;
  }

  @Test
  void aPurchaseFarFromTheUsualAmountIsAnOutlierForTheFlagWindow() {
    List<BehaviorEvent> events = usualPurchases();
    Instant at = T0.plus(Duration.ofDays(7));
    events.add(Events.purchase("big", at, 2500, 2));
    ProfileState p = fold(events);
    assertEquals(List.of(RiskFlags.PURCHASE_AMOUNT_OUTLIER), names(p, null));
    assertTrue(reason(p, RiskFlags.PURCHASE_AMOUNT_OUTLIER).matches("purchase 5000\\.00 is \\d+\\.\\d sd from the mean 100\\.00 of 6"),
        reason(p, RiskFlags.PURCHASE_AMOUNT_OUTLIER));
    assertEquals(List.of(RiskFlags.PURCHASE_AMOUNT_OUTLIER), names(p, at.plus(Duration.ofHours(24))));
    assertEquals(List.of(), names(p, at.plus(Duration.ofHours(24)).plusMillis(1)), "cleared after the window");
  }

  @Test
  void usualAmountsAndShortHistoriesAreNoOutliers() {
    List<BehaviorEvent> events = usualPurchases();
    events.add(Events.purchase("usual", T0.plus(Duration.ofDays(7)), 115, 1));
    assertEquals(List.of(), names(fold(events), null));
    ProfileState young = Events.fold(S,
        Events.purchase("a", T0, 100, 1), Events.purchase("b", T0.plusSeconds(60), 100, 1),
        Events.purchase("c", T0.plusSeconds(120), 5000, 1));
    assertEquals(List.of(), names(young, null), "too few earlier purchases to judge");
  }

  @Test
  void withoutSpreadTheLargestAmountJudges() {
    List<BehaviorEvent> same = new ArrayList<>();
    for (int i = 0; i < 5; i++) same.add(Events.purchase("p" + i, T0.plus(Duration.ofHours(i)), 20, 1));
    List<BehaviorEvent> ok = new ArrayList<>(same);
    ok.add(Events.purchase("ok", T0.plus(Duration.ofHours(6)), 150, 1));
    assertEquals(List.of(), names(fold(ok), null), "7.5x the largest is within 10x");
    List<BehaviorEvent> big = new ArrayList<>(same);
    big.add(Events.purchase("big", T0.plus(Duration.ofHours(6)), 30, 10));
    ProfileState p = fold(big);
    assertEquals(List.of(RiskFlags.PURCHASE_AMOUNT_OUTLIER), names(p, null));
    assertEquals("purchase 300.00 is 15.0x the largest of 5 (20.00)", reason(p, RiskFlags.PURCHASE_AMOUNT_OUTLIER));
  }

  @Test
  void manyCartsWithoutAPurchase() {
    List<BehaviorEvent> carts = new ArrayList<>();
    for (int i = 0; i < 10; i++) carts.add(Events.cart("k" + i, T0.plus(Duration.ofHours(5L * i))));
    ProfileState p = fold(carts);
    assertEquals(List.of(RiskFlags.CART_WITHOUT_PURCHASE), names(p, null));
    assertEquals("10 carts and no purchase in 7d", reason(p, RiskFlags.CART_WITHOUT_PURCHASE));
    assertEquals(List.of(), names(fold(carts.subList(0, 9)), null), "9 carts are not many");
    List<BehaviorEvent> bought = new ArrayList<>(carts);
    bought.add(Events.purchase("p", T0.plus(Duration.ofHours(50)), 10, 1));
    assertEquals(List.of(), names(fold(bought), null));
    assertEquals(List.of(), names(p, T0.plus(Duration.ofDays(20))), "the carts left the 7d window");
  }

  @Test
  void flagsAreInTheView() {
    ProfileState p = Events.fold(S,
        Events.at(Events.view("a", T0, "c"), "CN", "Beijing"),
        Events.at(Events.view("b", T0.plus(Duration.ofHours(1)), "c"), "US", "New York"));
    assertEquals(List.of(new Flag(RiskFlags.IMPOSSIBLE_TRAVEL, "country CN -> US in 1.00h (min 2.00h)")), p.view(null, S).flags());
  }
}
