package dev.profileengine.engine.profiles;

import com.typesafe.config.Config;
import dev.profileengine.model.recommend.RecommendWeights;

/** {@code profile.recommendations}: the blend's weights and the most recommendations a request may ask for. */
public record RecommendationSettings(RecommendWeights weights, int maxK) {
  public static RecommendationSettings from(Config root) {
    Config rec = root.getConfig("profile.recommendations");
    return new RecommendationSettings(
        new RecommendWeights(rec.getDouble("weights.model"), rec.getDouble("weights.interest"), rec.getDouble("weights.popular")),
        rec.getInt("max-k"));
  }
}
