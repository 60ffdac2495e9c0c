package dev.profileengine.model.recommend;

/**
 * Weights of the three sources blended by {@link Recommender}. Each source is max-normalized per
 * request (its best category scores 1), so a weight is the score its best category contributes.
 *
 * @param model weight of the model's next-category probabilities
 * @param interest weight of the user's decayed interest scores
 * @param popular weight of the global popularity shares
 */
public record RecommendWeights(double model, double interest, double popular) {
  /**
   * Chosen by {@code java -jar model-store.jar tune-weights} on the validation slice of
   * taobao-userbehavior-users.csv (the last 15% of each user's history part; never the held-out
   * events), objective Hit@10 + Recall@10 over a 0.05 grid of the simplex: the best point with
   * every weight positive. (The unconstrained best, 0.90/0.10/0, is 0.002 better, within noise;
   * but a zero popular weight would leave a user with no prediction and no interests with no
   * recommendations, and a zero interest weight would ignore the profile when the model is down.)
   * See model-store/README.md, section "Recommendations".
   */
  public static final RecommendWeights DEFAULT = new RecommendWeights(0.75, 0.20, 0.05);

  /** Only the model. */
  public static final RecommendWeights MODEL_ONLY = new RecommendWeights(1, 0, 0);
  /** Only the decayed interests. */
  public static final RecommendWeights INTEREST_ONLY = new RecommendWeights(0, 1, 0);
  /** Only global popularity. */
  public static final RecommendWeights POPULAR_ONLY = new RecommendWeights(0, 0, 1);

  public RecommendWeights {
    if (!(model >= 0 && interest >= 0 && popular >= 0) || !Double.isFinite(model + interest + popular))
      throw new IllegalArgumentException("weights must be finite and non-negative: " + model + ", " + interest + ", " + popular);
    if (model + interest + popular <= 0) throw new IllegalArgumentException("at least one weight must be positive");
  }
}
