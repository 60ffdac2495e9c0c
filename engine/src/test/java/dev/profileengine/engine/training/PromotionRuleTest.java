package dev.profileengine.engine.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PromotionRuleTest {
  private final PromotionRule rule = new PromotionRule(1.0, 100, 0.99, Duration.ofHours(24));

  private static TrainingRun.Online online(long scored, double logLoss) {
    return new TrainingRun.Online(scored, 0.8, logLoss);
  }

  private static TrainingRun.Quality offline(double logLoss) {
    return new TrainingRun.Quality(0.8, 0.4, logLoss, 0.7);
  }

  @Test
  void waitsUntilBothVersionsScoredEnough() {
    assertInstanceOf(PromotionRule.Wait.class, rule.decide(online(99, 0.1), online(5000, 0.5), Duration.ofHours(1)));
    assertInstanceOf(PromotionRule.Wait.class, rule.decide(online(500, 0.1), online(99, 0.5), Duration.ofHours(1)));
  }

  @Test
  void promotesABetterCandidateAndRollsBackAWorseOne() {
    var better = rule.decide(online(100, 0.40), online(900, 0.41), Duration.ofMinutes(5));
    assertInstanceOf(PromotionRule.Promote.class, better);
    assertTrue(((PromotionRule.Promote) better).reason().contains("0.4000 over 100"), better.toString());
    // Not better by the margin the rule asks (0.99x): rolled back.
    var level = rule.decide(online(100, 0.41), online(900, 0.41), Duration.ofMinutes(5));
    assertInstanceOf(PromotionRule.RollBack.class, level);
    assertTrue(((PromotionRule.RollBack) level).reason().contains("above 0.99x"), level.toString());
  }

  @Test
  void rollsBackWhenTheComparisonTakesTooLong() {
    var d = rule.decide(online(12, 0.1), online(900, 0.5), Duration.ofHours(24));
    assertInstanceOf(PromotionRule.RollBack.class, d);
    assertTrue(((PromotionRule.RollBack) d).reason().contains("100 needed"), d.toString());
  }

  @Test
  void servesACandidateOfflineAtLeastAsGoodOnly() {
    assertEquals(Optional.empty(), rule.offlineRefusal(offline(0.39), offline(0.39)));
    assertEquals(Optional.empty(), rule.offlineRefusal(offline(0.5), null), "nothing to beat when the fallback serves");
    assertTrue(rule.offlineRefusal(offline(0.40), offline(0.39)).orElseThrow().contains("offline-max-log-loss-ratio"));
    assertTrue(rule.offlineRefusal(offline(Double.NaN), offline(0.39)).isPresent());
  }

  @Test
  void refusesARuleThatCannotWork() {
    assertThrows(IllegalArgumentException.class, () -> new PromotionRule(0, 100, 1, Duration.ofHours(1)));
    assertThrows(IllegalArgumentException.class, () -> new PromotionRule(1, 0, 1, Duration.ofHours(1)));
    assertThrows(IllegalArgumentException.class, () -> new PromotionRule(1, 100, 1, Duration.ZERO));
  }
}
