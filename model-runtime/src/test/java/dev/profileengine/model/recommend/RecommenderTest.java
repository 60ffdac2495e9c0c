package dev.profileengine.model.recommend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecommenderTest {
  private static final double EPS = 1e-12;

  private static Map<String, Double> map(Object... kv) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], ((Number) kv[i + 1]).doubleValue());
    return m;
  }

  private static List<String> ids(List<Recommendation> r) {
    return r.stream().map(Recommendation::categoryId).toList();
  }

  @Test
  void blendsMaxNormalizedSourcesWithTheWeights() {
    // model max 0.5, interest max 0.6, popular max 0.04
    Map<String, Double> model = map("a", 0.5, "b", 0.25);
    Map<String, Double> interest = map("b", 0.6, "c", 0.3);
    Map<String, Double> popular = map("c", 0.04, "d", 0.01);
    List<Recommendation> r = Recommender.blend(model, interest, popular, new RecommendWeights(0.5, 0.3, 0.2), 10);

    // b: 0.5 * (0.25 / 0.5) + 0.3 * (0.6 / 0.6) = 0.55
    Recommendation b = r.stream().filter(x -> x.categoryId().equals("b")).findFirst().orElseThrow();
    assertEquals(0.55, b.score(), EPS);
    assertEquals(0.25, b.parts().get("model"), EPS);
    assertEquals(0.30, b.parts().get("interest"), EPS);
    assertEquals(0.0, b.parts().get("popular"), EPS);
    assertEquals("interest", b.reason());
  }

  @Test
  void ordersByScoreThenIdAndExplainsEachItem() {
    Map<String, Double> model = map("a", 0.5, "b", 0.25);
    Map<String, Double> interest = map("b", 0.6, "c", 0.3);
    Map<String, Double> popular = map("c", 0.04, "d", 0.01);
    List<Recommendation> r = Recommender.blend(model, interest, popular, new RecommendWeights(0.5, 0.3, 0.2), 10);
    // b 0.55 (interest), a 0.5 (model), c 0.15 + 0.2 = 0.35 (popular), d 0.05 (popular)
    assertEquals(List.of("b", "a", "c", "d"), ids(r));
    assertEquals(List.of(0.55, 0.5, 0.35, 0.05), r.stream().map(x -> Math.round(x.score() * 1e9) / 1e9).toList());
    assertEquals(List.of("interest", "model", "popular", "popular"), r.stream().map(Recommendation::reason).toList());
    assertEquals(List.of("model", "interest", "popular"), List.copyOf(r.get(0).parts().keySet()));
    for (Recommendation x : r)
      assertEquals(x.score(), x.parts().values().stream().mapToDouble(Double::doubleValue).sum(), EPS, "score = sum of parts");
  }

  @Test
  void normalizationIsScaleInvariantAndDropsUnusableValues() {
    Map<String, Double> n = Recommender.normalized(map("a", 4, "b", 1, "c", 0, "d", -2, "e", Double.NaN, "f", Double.POSITIVE_INFINITY));
    assertEquals(Map.of("a", 1.0, "b", 0.25), n);
    RecommendWeights w = new RecommendWeights(0.4, 0.4, 0.2);
    List<Recommendation> shares = Recommender.blend(map("x", 0.2, "y", 0.1), map("y", 0.75, "z", 0.25), map("z", 0.03), w, 5);
    List<Recommendation> scaled = Recommender.blend(map("x", 20, "y", 10), map("y", 3, "z", 1), map("z", 900), w, 5);
    assertEquals(shares, scaled);
    assertTrue(Recommender.normalized(null).isEmpty());
    assertTrue(Recommender.normalized(map("a", 0)).isEmpty());
  }

  @Test
  void equalScoresBreakTiesByIdAndEqualPartsByModelInterestPopular() {
    RecommendWeights w = new RecommendWeights(1, 1, 1);
    List<Recommendation> r = Recommender.blend(map("m", 1.0), map("i", 2.0), map("p", 3.0), w, 10);
    assertEquals(List.of("i", "m", "p"), ids(r), "all score 1: id ascending");
    List<Recommendation> same = Recommender.blend(map("c", 1.0), map("c", 5.0), map("c", 9.0), w, 10);
    assertEquals(3.0, same.get(0).score(), EPS);
    assertEquals("model", same.get(0).reason());
    List<Recommendation> ip = Recommender.blend(Map.of(), map("c", 5.0), map("c", 9.0), w, 10);
    assertEquals("interest", ip.get(0).reason());
  }

  @Test
  void kBoundsTheResult() {
    Map<String, Double> pop = map("a", 5, "b", 4, "c", 3, "d", 2);
    RecommendWeights w = RecommendWeights.POPULAR_ONLY;
    assertEquals(List.of(), Recommender.blend(null, null, pop, w, 0));
    assertEquals(List.of("a", "b"), ids(Recommender.blend(null, null, pop, w, 2)));
    assertEquals(List.of("a", "b", "c", "d"), ids(Recommender.blend(null, null, pop, w, 100)));
    assertThrows(IllegalArgumentException.class, () -> Recommender.blend(null, null, pop, w, -1));
  }

  @Test
  void withoutAPredictionInterestAndPopularityRemain() {
    Popularity pop = new Popularity("f", null, null, 100, List.of(new Popularity.Share("p1", 0.2), new Popularity.Share("p2", 0.1)));
    Recommender rec = new Recommender(new RecommendWeights(0.6, 0.3, 0.1), pop);
    List<Recommendation> r = rec.recommend(List.of(), map("i1", 0.8, "i2", 0.2), 10);
    // i1 0.3 * 1, p1 0.1 * 1, i2 0.3 * 0.25, p2 0.1 * 0.5
    assertEquals(List.of("i1", "p1", "i2", "p2"), ids(r));
    assertEquals(List.of(0.3, 0.1, 0.075, 0.05), r.stream().map(x -> Math.round(x.score() * 1e9) / 1e9).toList());
    assertEquals(List.of("interest", "popular", "interest", "popular"), r.stream().map(Recommendation::reason).toList());
    assertEquals(r, rec.recommend(null, map("i1", 0.8, "i2", 0.2), 10), "null prediction = empty prediction");
    assertEquals(List.of(), Recommender.blend(null, null, null, RecommendWeights.DEFAULT, 10), "no source, nothing");
    assertEquals(List.of("p1", "p2"), ids(new Recommender(RecommendWeights.DEFAULT, pop).recommend(null, Map.of(), 10)));
  }

  @Test
  void zeroWeightSourcesContributeNothing() {
    List<Recommendation> r = Recommender.blend(map("m", 0.9), map("i", 1.0), map("p", 1.0), RecommendWeights.MODEL_ONLY, 10);
    assertEquals(List.of("m"), ids(r));
    assertEquals(1.0, r.get(0).score(), EPS);
  }

  @Test
  void modelScoresKeepTheFirstOfADuplicate() {
    Map<String, Double> m = Recommender.modelScores(List.of(new CategoryScore("a", 0.4), new CategoryScore("b", 0.3),
        new CategoryScore("a", 0.1)));
    assertEquals(Map.of("a", 0.4, "b", 0.3), m);
  }

  @Test
  void weightsMustBeNonNegativeAndNotAllZero() {
    assertThrows(IllegalArgumentException.class, () -> new RecommendWeights(-0.1, 0.5, 0.6));
    assertThrows(IllegalArgumentException.class, () -> new RecommendWeights(0, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new RecommendWeights(Double.NaN, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> new RecommendWeights(Double.POSITIVE_INFINITY, 1, 0));
  }
}
