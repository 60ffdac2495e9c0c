package dev.profileengine.model.inference;

import static dev.profileengine.model.TestData.b;

import dev.profileengine.model.registry.ModelRegistry;
import dev.profileengine.profile.BehaviorType;
import dev.profileengine.profile.RecentBehavior;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Real models for the pool tests: the committed default (from the classpath) and the Markov fallback. */
final class Models {
  private Models() {}

  static NextBehaviorModel defaultModel() {
    return ModelLoader.loadDefault();
  }

  /** A plausible random history of {@code n} behaviors. */
  static List<RecentBehavior> history(Random r, int n) {
    List<RecentBehavior> out = new ArrayList<>();
    long t = 1_511_600_000L;
    BehaviorType[] types = {BehaviorType.VIEW, BehaviorType.VIEW, BehaviorType.VIEW, BehaviorType.VIEW, BehaviorType.CART,
        BehaviorType.FAVORITE, BehaviorType.PURCHASE};
    for (int i = 0; i < n; i++) {
      t += r.nextInt(600);
      out.add(b(types[r.nextInt(types.length)], String.valueOf(1000 + r.nextInt(30)), t));
    }
    return out;
  }
}
