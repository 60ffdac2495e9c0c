package dev.profileengine.model.inference;

import static dev.profileengine.model.TestData.b;
import static dev.profileengine.profile.BehaviorType.CART;
import static dev.profileengine.profile.BehaviorType.PURCHASE;
import static dev.profileengine.profile.BehaviorType.VIEW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.profileengine.model.encoding.UserContext;
import dev.profileengine.model.recommend.CategoryScore;
import java.util.List;
import org.junit.jupiter.api.Test;

class MarkovFallbackPredictorTest {
  @Test
  void predictsWithoutDjl() {
    // recency-weighted (0.9 per step back): a = .9^2+.9^3+.9^4 = 2.19, b = 1 + .9 = 1.9
    MarkovFallbackPredictor m = MarkovFallbackPredictor.generic();
    Prediction p = m.predict(List.of(UserContext.of(List.of(b(VIEW, "a", 0), b(CART, "a", 5), b(PURCHASE, "a", 9), b(VIEW, "b", 20), b(CART, "b", 30)))))
        .get(0);
    assertEquals(MarkovFallbackPredictor.VERSION, p.modelVersion());
    assertEquals(1.0, p.nextBehavior().values().stream().mapToDouble(Double::doubleValue).sum(), 1e-9);
    assertTrue(p.probability(PURCHASE) > 0.02, "the user's own cart -> purchase counts");
    assertEquals(List.of("a", "b"), p.nextCategories().stream().map(CategoryScore::id).toList());
    assertEquals(6, p.nextBehavior().size());
  }
}
