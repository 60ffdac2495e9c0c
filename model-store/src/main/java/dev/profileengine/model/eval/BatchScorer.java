package dev.profileengine.model.eval;

import dev.profileengine.model.recommend.CategoryScore;
import dev.profileengine.profile.BehaviorType;
import dev.profileengine.model.encoding.UserContext;
import java.util.List;

/** A batch predictor under evaluation (the model): contexts in, scored predictions out. */
public interface BatchScorer {
  List<Scored> score(List<UserContext> contexts);

  /** Row title in the report. */
  default String title() {
    return "model";
  }

  /**
   * @param typeProbabilities per BehaviorType ordinal, summing to 1
   * @param decision the predicted class (the decision rule may differ from argmax)
   * @param categories the next categories with their probabilities, best first
   */
  record Scored(double[] typeProbabilities, BehaviorType decision, List<CategoryScore> categories) {
    public Scored {
      categories = List.copyOf(categories);
    }

    /** The category ids, best first. */
    public List<String> topCategories() {
      return categories.stream().map(CategoryScore::id).toList();
    }
  }
}
