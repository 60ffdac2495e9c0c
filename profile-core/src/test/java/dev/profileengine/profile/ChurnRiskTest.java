package dev.profileengine.profile;

import static dev.profileengine.profile.Events.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChurnRiskTest {
  private static final ProfileSettings S = ProfileSettings.defaults();
  private static final long DAY = Duration.ofDays(1).toMillis();

  /** A session of 3 views every day for {@code days} days. */
  static ProfileState daily(int days) {
    List<BehaviorEvent> events = new ArrayList<>();
    for (int d = 0; d < days; d++)
      for (int i = 0; i < 3; i++) events.add(Events.view("d" + d + "-" + i, T0.plus(Duration.ofDays(d)).plusSeconds(60L * i), "c"));
    return Events.fold(S, events.toArray(BehaviorEvent[]::new));
  }

  @Test
  void riskGrowsWithInactivityAndStaysWithinZeroAndOne() {
    ProfileState p = daily(20);
    double previous = -1;
    for (int d = 0; d <= 120; d++) {
      double risk = p.churn(p.lastEventMillis() + d * DAY / 2, S).risk();
      assertEquals(risk, ChurnRisk.risk(p, p.lastEventMillis() + d * DAY / 2, S.churn()), "the rules' risk is the view's");
      assertTrue(risk >= previous, "monotonic at " + d / 2.0 + " days: " + risk + " < " + previous);
      assertTrue(risk >= 0 && risk <= 1, "bounded: " + risk);
      previous = risk;
    }
    assertTrue(p.churn(p.lastEventMillis(), S).risk() < 0.1, "an active daily user is no churn risk");
    assertTrue(previous > 0.6, "two months silent after daily use: " + previous);
  }

  @Test
  void silenceIsJudgedAgainstTheUsersOwnHabit() {
    ProfileState everyDay = daily(20);
    Churn c = everyDay.churn(everyDay.lastEventMillis() + 12 * DAY, S);
    assertTrue(c.risk() >= 0.55, c.toString());
    assertTrue(c.reasons().get(0).matches("inactive 12\\.0 days, 12\\.\\dx the usual gap"), c.reasons().toString());
    // a user who comes every 10 days is not worried about after 12 quiet days
    List<BehaviorEvent> rare = new ArrayList<>();
    for (int k = 0; k < 6; k++) rare.add(Events.view("r" + k, T0.plus(Duration.ofDays(10L * k)), "c"));
    ProfileState weekly = Events.fold(S, rare.toArray(BehaviorEvent[]::new));
    assertTrue(weekly.churn(weekly.lastEventMillis() + 12 * DAY, S).risk() < c.risk() / 2, weekly.churn(weekly.lastEventMillis() + 12 * DAY, S).toString());
  }

  @Test
  void fallingActivityRaisesRiskWithAReason() {
    List<BehaviorEvent> events = new ArrayList<>();
    for (int d = 0; d < 21; d++)
      for (int i = 0; i < 10; i++) events.add(Events.view("d" + d + "-" + i, T0.plus(Duration.ofDays(d)).plusSeconds(60L * i), "c"));
    events.add(Events.view("last", T0.plus(Duration.ofDays(27)), "c")); // one event in the last week
    ProfileState p = Events.fold(S, events.toArray(BehaviorEvent[]::new));
    Churn c = p.churn(p.lastEventMillis(), S);
    assertEquals(List.of("activity down 96% (7d vs 30d weekly average)"), c.reasons());
    assertTrue(c.risk() > 0.35, c.toString());
    assertTrue(daily(20).churn(daily(20).lastEventMillis(), S).reasons().isEmpty(), "steady activity gives no reason");
  }

  @Test
  void aLowPurchaseProbabilityRaisesTheRiskALittle() {
    ProfileState p = daily(20);
    long at = p.lastEventMillis() + 3 * DAY;
    double without = p.churn(at, S).risk();
    ProfileState unlikely = p.withPrediction(prediction(p, 0.01, 0.01));
    ProfileState likely = p.withPrediction(prediction(p, 0.3, 0.2));
    Churn c = unlikely.churn(at, S);
    assertTrue(c.risk() > without && c.risk() <= without + 0.15, without + " -> " + c.risk());
    assertTrue(c.reasons().contains("predicted purchase+cart probability 0.02"), c.reasons().toString());
    assertEquals(without, likely.churn(at, S).risk(), 1e-9, "an engaged prediction adds nothing");
  }

  @Test
  void noEventsNoRisk() {
    assertEquals(Churn.NONE, ProfileState.empty("u").churn(T0.toEpochMilli(), S));
  }

  @Test
  void theViewCarriesChurnAsOfTheReadingTime() {
    ProfileState p = daily(20);
    Instant later = Instant.ofEpochMilli(p.lastEventMillis() + 30 * DAY);
    assertEquals(p.churn(later.toEpochMilli(), S), p.view(later, S).churn());
    assertFalse(p.view(later, S).churn().reasons().isEmpty());
  }

  static ProfilePrediction prediction(ProfileState p, double purchase, double cart) {
    return new ProfilePrediction("test", p.eventCount(), "e", Map.of("purchase", purchase, "cart", cart, "view", 1 - purchase - cart),
        "view", List.of(), T0);
  }
}
