package dev.profileengine.model.served;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profileengine.model.eval.BatchScorer;
import dev.profileengine.model.recommend.CategoryScore;
import dev.profileengine.profile.BehaviorType;
import java.util.ArrayList;
import java.util.List;

/**
 * A prediction the engine stored in a profile, as the change stream (or the profile) carries it.
 *
 * @param asOfEventCount the profile's event count it was computed from: it predicts the event after that many
 * @param scored the probabilities, decision and categories, as {@code evaluate} scores the model's
 */
public record ServedPrediction(String userId, long asOfEventCount, String modelVersion, BatchScorer.Scored scored) {

  /**
   * From a prediction object ({@code changes} of a {@code prediction} change, or a profile's
   * {@code prediction}): {@code asOfEventCount}, {@code modelVersion}, {@code nextBehavior},
   * {@code predictedBehavior}, {@code nextCategories}.
   */
  public static ServedPrediction parse(String userId, JsonNode p) {
    double[] probabilities = new double[BehaviorType.count()];
    p.path("nextBehavior").fields().forEachRemaining(e ->
        BehaviorType.fromWire(e.getKey()).ifPresent(t -> probabilities[t.ordinal()] = e.getValue().asDouble()));
    BehaviorType decision = BehaviorType.fromWire(p.path("predictedBehavior").asText(null))
        .orElseThrow(() -> new ServedEvaluationException("a prediction of " + userId + " without a known predictedBehavior: " + p));
    List<CategoryScore> categories = new ArrayList<>();
    for (JsonNode c : p.path("nextCategories")) categories.add(new CategoryScore(c.path("id").asText(), c.path("probability").asDouble()));
    return new ServedPrediction(userId, p.path("asOfEventCount").asLong(-1), p.path("modelVersion").asText(null),
        new BatchScorer.Scored(probabilities, decision, categories));
  }
}
