package dev.profileengine.model.eval;

import dev.profileengine.model.recommend.CategoryScore;
import dev.profileengine.profile.RecentBehavior;
import java.util.List;

/**
 * A next-category predictor that may use the evaluated model's output: ranked from the user's
 * events before the predicted one and the model's categories for that same context (empty when
 * no model is evaluated). Evaluated exactly like the category baselines.
 */
public interface CategoryRanker {
  /** Short key used in the report and the JSON output. */
  String key();

  /** Human-readable name for the table. */
  String title();

  /** The best {@code k} category ids, best first. */
  List<String> top(List<RecentBehavior> before, List<CategoryScore> model, int k);
}
