package dev.profileengine.model.inference;

import dev.profileengine.model.recommend.CategoryScore;
import dev.profileengine.profile.BehaviorType;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The next-behavior prediction for one user, as a profile shows it.
 *
 * @param modelVersion registry version of the model that produced it (or {@code markov-fallback})
 * @param nextBehavior probability of each behavior type being the next behavior, keyed by
 *     {@link BehaviorType#wire()}, all six present in enum order, summing to 1; types never seen
 *     in training get a tiny probability. These are the probabilities the evaluation's log-loss is
 *     computed from.
 * @param nextCategories the most likely next categories, best first, at most 10
 * @param computedAt when the prediction was made
 * @param predictedBehavior the decision (wire name): argmax of {@code log p + bias} with the
 *     per-type bias of the model's decision rule (fitted for macro-F1), so not necessarily the
 *     most probable type
 */
public record Prediction(String modelVersion, Map<String, Double> nextBehavior, List<CategoryScore> nextCategories,
    Instant computedAt, String predictedBehavior) {

  public Prediction {
    nextBehavior = Collections.unmodifiableMap(new LinkedHashMap<>(nextBehavior));
    nextCategories = List.copyOf(nextCategories);
  }

  /** A prediction whose decision is the most probable type. */
  public Prediction(String modelVersion, Map<String, Double> nextBehavior, List<CategoryScore> nextCategories,
      Instant computedAt) {
    this(modelVersion, nextBehavior, nextCategories, computedAt, argmax(nextBehavior));
  }

  /** Builds the map from probabilities per {@link BehaviorType} ordinal. */
  public static Map<String, Double> byWireName(double[] probabilities) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (BehaviorType t : BehaviorType.values()) m.put(t.wire(), probabilities[t.ordinal()]);
    return m;
  }

  public double probability(BehaviorType type) {
    return nextBehavior.getOrDefault(type.wire(), 0.0);
  }

  /** Probabilities per {@link BehaviorType} ordinal. */
  public double[] probabilities() {
    double[] p = new double[BehaviorType.count()];
    for (BehaviorType t : BehaviorType.values()) p[t.ordinal()] = probability(t);
    return p;
  }

  public BehaviorType predicted() {
    return BehaviorType.fromWire(predictedBehavior).orElse(BehaviorType.VIEW);
  }

  private static String argmax(Map<String, Double> p) {
    String best = null;
    double bp = Double.NEGATIVE_INFINITY;
    for (Map.Entry<String, Double> e : p.entrySet()) {
      if (e.getValue() > bp) {
        bp = e.getValue();
        best = e.getKey();
      }
    }
    return best;
  }
}
