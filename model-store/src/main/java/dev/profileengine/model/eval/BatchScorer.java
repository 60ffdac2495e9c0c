package dev.profileengine.model.eval;

import dev.profileengine.model.BehaviorType;
import dev.profileengine.model.RecentBehavior;
import java.util.List;

/** A batch predictor under evaluation (the model): contexts in, scored predictions out. */
public interface BatchScorer {
  List<Scored> score(List<List<RecentBehavior>> contexts);

  /** Row title in the report. */
  default String title() {
    return "model";
  }

  /**
   * @param typeProbabilities per BehaviorType ordinal, summing to 1
   * @param decision the predicted class (the decision rule may differ from argmax)
   * @param topCategories best first
   */
  record Scored(double[] typeProbabilities, BehaviorType decision, List<String> topCategories) {}
}
