package dev.profileengine.engine.model;

import dev.profileengine.model.recommend.CategoryScore;
import dev.profileengine.model.recommend.Popularity;
import dev.profileengine.model.recommend.RecommendWeights;
import dev.profileengine.model.recommend.Recommendation;
import dev.profileengine.model.recommend.Recommender;
import dev.profileengine.profile.DecayedScores;
import dev.profileengine.profile.ProfileView;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Next-category recommendations for a profile: the model's next-category head, the user's decayed
 * interests and global popularity blended by {@link Recommender} (weights in
 * {@code profile.recommendations.weights}). None for a user without personalization consent.
 */
public final class ProfileRecommendations {
  /** The answer; {@code withheld} names why the list is empty on purpose (no consent), else null. */
  public record Result(String userId, String modelVersion, List<Recommendation> items, String withheld) {}

  private ProfileRecommendations() {}

  public static Result of(ProfileView profile, Popularity popularity, RecommendWeights weights, int k) {
    Boolean personalization = profile.consent().purposes().get("personalization");
    if (Boolean.FALSE.equals(personalization)) {
      return new Result(profile.userId(), null, List.of(), "the user has not consented to personalization");
    }
    ProfileView.PredictionView p = profile.prediction();
    List<CategoryScore> model = p == null ? List.of()
        : p.nextCategories().stream().map(c -> new CategoryScore(c.id(), c.probability())).toList();
    Map<String, Double> interest = new LinkedHashMap<>();
    for (DecayedScores.Interest i : profile.interests().categories()) interest.put(i.id(), i.score());
    List<Recommendation> items = new Recommender(weights, popularity).recommend(model, interest, k);
    return new Result(profile.userId(), p == null ? null : p.modelVersion(), items, null);
  }
}
