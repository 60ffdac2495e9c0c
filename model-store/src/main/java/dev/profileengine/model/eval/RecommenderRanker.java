package dev.profileengine.model.eval;

import dev.profileengine.model.recommend.CategoryScore;
import dev.profileengine.model.recommend.DecayedInterest;
import dev.profileengine.model.recommend.Popularity;
import dev.profileengine.model.recommend.RecommendWeights;
import dev.profileengine.model.recommend.Recommendation;
import dev.profileengine.model.recommend.Recommender;
import dev.profileengine.profile.RecentBehavior;
import java.util.List;
import java.util.Locale;

/**
 * The {@link Recommender} as the engine would run it at the prediction point: the model's
 * categories for the context, the interests the engine would hold after folding the user's events
 * before it ({@link DecayedInterest}) and the popularity of the history part.
 */
public record RecommenderRanker(String key, String title, Recommender recommender) implements CategoryRanker {

  /** The blend with the default weights and each source alone. */
  public static List<CategoryRanker> standard(Popularity popularity) {
    RecommendWeights d = RecommendWeights.DEFAULT;
    return List.of(
        new RecommenderRanker("recBlend", String.format(Locale.ROOT, "recommender: blend (model %.2f, int %.2f, pop %.2f)",
            d.model(), d.interest(), d.popular()), new Recommender(d, popularity)),
        new RecommenderRanker("recModel", "recommender: model only", new Recommender(RecommendWeights.MODEL_ONLY, popularity)),
        new RecommenderRanker("recInterest", "recommender: decayed interest only", new Recommender(RecommendWeights.INTEREST_ONLY, popularity)),
        new RecommenderRanker("recPopular", "recommender: popular only", new Recommender(RecommendWeights.POPULAR_ONLY, popularity)));
  }

  @Override
  public List<String> top(List<RecentBehavior> before, List<CategoryScore> model, int k) {
    return recommender.recommend(model, DecayedInterest.of(before).shares(), k).stream().map(Recommendation::categoryId).toList();
  }
}
