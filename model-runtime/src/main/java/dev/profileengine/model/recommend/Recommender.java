package dev.profileengine.model.recommend;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Blends three sources into the top-k next categories of a user:
 *
 * <pre>score(c) = wModel · model(c) + wInterest · interest(c) + wPopular · popular(c)</pre>
 *
 * <p><b>Normalization.</b> Each source is divided by its own maximum over its categories (per
 * call, so per user for model and interest), so its best category has 1 and the others 0..1; a
 * category a source does not list has 0 there. The sources are on different scales (the model's
 * top probability is often 0.1-0.5, an interest share 0.1-1, a popularity share 0.01), and
 * max-normalization makes a weight mean the same thing for each: the score the source's best
 * category gets from it. It is scale-invariant, so the engine may pass interest shares or decayed
 * weights, and popularity shares or counts. Non-finite and non-positive values are ignored.
 *
 * <p>Nothing is excluded (already seen categories stay), except categories whose blended score is
 * 0 (only named by zero-weight sources). Order: score descending, then category id ascending.
 * Pure: no state, no I/O; thread-safe.
 *
 * @param weights the source weights
 * @param popularity the global popularity of the model version (may be {@link Popularity#empty()})
 */
public record Recommender(RecommendWeights weights, Popularity popularity) {
  private static final Comparator<Recommendation> ORDER =
      Comparator.comparingDouble(Recommendation::score).reversed().thenComparing(Recommendation::categoryId);

  /** The default weights with {@code popularity}. */
  public static Recommender withDefaults(Popularity popularity) {
    return new Recommender(RecommendWeights.DEFAULT, popularity);
  }

  /**
   * @param model the model's next categories (e.g. {@code Prediction.nextCategories()}), empty or
   *     null when there is no prediction
   * @param interest the user's interest scores by category id, empty or null when none
   * @param k number of recommendations wanted (fewer when fewer categories have a score)
   */
  public List<Recommendation> recommend(List<CategoryScore> model, Map<String, Double> interest, int k) {
    return blend(modelScores(model), interest, popularity.shares(), weights, k);
  }

  /** The model's categories as a map (the first occurrence of an id wins). */
  public static Map<String, Double> modelScores(List<CategoryScore> model) {
    Map<String, Double> m = new LinkedHashMap<>();
    if (model != null) for (CategoryScore c : model) m.putIfAbsent(c.id(), c.probability());
    return m;
  }

  /** The blend of three score maps (any may be null or empty); see the class comment. */
  public static List<Recommendation> blend(Map<String, Double> model, Map<String, Double> interest, Map<String, Double> popular,
      RecommendWeights weights, int k) {
    if (k < 0) throw new IllegalArgumentException("k must not be negative: " + k);
    if (k == 0) return List.of();
    Map<Source, Map<String, Double>> sources = new EnumMap<>(Source.class);
    sources.put(Source.MODEL, normalized(model));
    sources.put(Source.INTEREST, normalized(interest));
    sources.put(Source.POPULAR, normalized(popular));
    Map<String, double[]> parts = new HashMap<>();
    sources.forEach((s, scores) -> {
      double w = s.weight(weights);
      if (w == 0) return;
      scores.forEach((id, v) -> parts.computeIfAbsent(id, x -> new double[Source.values().length])[s.ordinal()] = w * v);
    });
    List<Recommendation> all = new ArrayList<>(parts.size());
    parts.forEach((id, p) -> {
      double score = 0;
      int best = 0;
      for (int i = 0; i < p.length; i++) {
        score += p[i];
        if (p[i] > p[best]) best = i;
      }
      if (score <= 0) return;
      Map<String, Double> named = new LinkedHashMap<>();
      for (Source s : Source.values()) named.put(s.key(), p[s.ordinal()]);
      all.add(new Recommendation(id, score, Source.values()[best].key(), named));
    });
    all.sort(ORDER);
    return List.copyOf(all.subList(0, Math.min(k, all.size())));
  }

  /** Each positive finite value divided by the largest; other entries dropped. */
  static Map<String, Double> normalized(Map<String, Double> scores) {
    Map<String, Double> out = new HashMap<>();
    if (scores == null) return out;
    double max = 0;
    for (Double v : scores.values()) if (usable(v)) max = Math.max(max, v);
    if (max == 0) return out;
    for (Map.Entry<String, Double> e : scores.entrySet())
      if (e.getKey() != null && usable(e.getValue())) out.put(e.getKey(), e.getValue() / max);
    return out;
  }

  private static boolean usable(Double v) {
    return v != null && Double.isFinite(v) && v > 0;
  }
}
