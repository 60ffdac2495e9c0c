package dev.profileengine.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A prediction's compact collections read exactly as the collections they were made from. */
class PredictionOddsTest {
  private static ProfilePrediction prediction(Map<String, Double> next, List<ProfilePrediction.Category> categories) {
    return new ProfilePrediction("m", 3, "e3", next, "view", categories, Instant.EPOCH);
  }

  @Test
  void theModelsOddsKeepTheirKeysValuesAndOrder() {
    Map<String, Double> next = new LinkedHashMap<>();
    next.put("view", 0.5);
    next.put("cart", 0.2);
    next.put("purchase", 0.3);
    ProfilePrediction p = prediction(next, List.of());
    assertTrue(p.nextBehavior() instanceof BehaviorOdds);
    assertEquals(next, p.nextBehavior());
    assertEquals(next.hashCode(), p.nextBehavior().hashCode());
    assertEquals(List.copyOf(next.keySet()), List.copyOf(p.nextBehavior().keySet()), "order kept");
    assertEquals(0.2, p.probability("cart"));
    assertEquals(0.0, p.probability("search"), "absent");
    assertNull(p.nextBehavior().get("CART"), "keys are exact");
    assertThrows(UnsupportedOperationException.class, () -> p.nextBehavior().put("view", 1.0));
  }

  @Test
  void oddsInAnotherOrderOrUnknownKeysAreKeptAsGiven() {
    Map<String, Double> reversed = new LinkedHashMap<>();
    reversed.put("purchase", 0.3);
    reversed.put("view", 0.7);
    ProfilePrediction p = prediction(reversed, List.of());
    assertEquals(List.of("purchase", "view"), List.copyOf(p.nextBehavior().keySet()));
    Map<String, Double> unknown = new LinkedHashMap<>(Map.of("teleport", 1.0));
    assertEquals(unknown, prediction(unknown, List.of()).nextBehavior());
  }

  @Test
  void categoriesKeepOrderAndShareTheirIds() {
    List<ProfilePrediction.Category> given = new ArrayList<>();
    for (int i = 0; i < 10; i++) given.add(new ProfilePrediction.Category(new String("c" + i), 1.0 / (i + 2)));
    ProfilePrediction a = prediction(Map.of(), given);
    assertEquals(given, a.nextCategories());
    assertEquals(given.hashCode(), a.nextCategories().hashCode());
    List<ProfilePrediction.Category> again = new ArrayList<>();
    for (ProfilePrediction.Category c : given) again.add(new ProfilePrediction.Category(new String(c.id()), c.probability()));
    ProfilePrediction b = prediction(Map.of(), again);
    assertEquals(a, b);
    assertSame(a.nextCategories().get(4).id(), b.nextCategories().get(4).id(), "one String per category id");
    assertThrows(UnsupportedOperationException.class, () -> a.nextCategories().add(new ProfilePrediction.Category("x", 0)));
  }
}
