package dev.profileengine.model.encoding;

import dev.profileengine.profile.BehaviorType;
import dev.profileengine.profile.RecentBehavior;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Global behavior statistics of the training data, part of the encoding contract (the summary
 * features compare a user's own behavior with them).
 *
 * @param activeTypes the behavior types that occur in training, by ordinal: the model's type
 *     softmax runs over these only, the others get probability 0
 * @param prior global frequency per {@link BehaviorType} ordinal (0 for inactive types)
 * @param transitions global previous type -> next type probabilities, Laplace smoothed over the
 *     active types, indexed by ordinals; rows of inactive types equal the prior
 */
public record BehaviorStats(List<BehaviorType> activeTypes, double[] prior, double[][] transitions) {

  public BehaviorStats {
    activeTypes = List.copyOf(activeTypes);
    if (activeTypes.isEmpty()) throw new IllegalArgumentException("no active behavior types");
  }

  public static BehaviorStats fit(Collection<List<RecentBehavior>> sequences) {
    int t = BehaviorType.count();
    long[] counts = new long[t];
    long[][] trans = new long[t][t];
    for (List<RecentBehavior> s : sequences) {
      for (int i = 0; i < s.size(); i++) {
        counts[s.get(i).type().ordinal()]++;
        if (i > 0) trans[s.get(i - 1).type().ordinal()][s.get(i).type().ordinal()]++;
      }
    }
    List<BehaviorType> active = new ArrayList<>();
    long total = 0;
    for (int i = 0; i < t; i++) if (counts[i] > 0) {
      active.add(BehaviorType.ofIndex(i));
      total += counts[i];
    }
    double[] prior = new double[t];
    for (int i = 0; i < t; i++) prior[i] = total == 0 ? 0 : (double) counts[i] / total;
    double[][] tr = new double[t][t];
    for (int p = 0; p < t; p++) {
      if (counts[p] == 0) {
        tr[p] = prior.clone();
        continue;
      }
      long row = 0;
      for (BehaviorType a : active) row += trans[p][a.ordinal()];
      for (BehaviorType a : active) tr[p][a.ordinal()] = (trans[p][a.ordinal()] + 1.0) / (row + active.size());
    }
    return new BehaviorStats(active, prior, tr);
  }

  /** Indexed by {@link BehaviorType} ordinal: whether the type is active. */
  public boolean[] activeMask() {
    boolean[] m = new boolean[BehaviorType.count()];
    for (BehaviorType t : activeTypes) m[t.ordinal()] = true;
    return m;
  }

  public boolean isActive(BehaviorType type) {
    return prior[type.ordinal()] > 0;
  }

  /** The most frequent type in training. */
  public BehaviorType majority() {
    BehaviorType best = activeTypes.get(0);
    for (BehaviorType a : activeTypes) if (prior[a.ordinal()] > prior[best.ordinal()]) best = a;
    return best;
  }
}
