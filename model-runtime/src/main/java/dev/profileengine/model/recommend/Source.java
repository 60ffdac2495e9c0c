package dev.profileengine.model.recommend;

/** The sources {@link Recommender} blends, in reason tie-break order. */
public enum Source {
  MODEL("model"),
  INTEREST("interest"),
  POPULAR("popular");

  private final String key;

  Source(String key) {
    this.key = key;
  }

  /** The name used in {@link Recommendation#reason()} and {@link Recommendation#parts()}. */
  public String key() {
    return key;
  }

  double weight(RecommendWeights w) {
    return switch (this) {
      case MODEL -> w.model();
      case INTEREST -> w.interest();
      case POPULAR -> w.popular();
    };
  }
}
