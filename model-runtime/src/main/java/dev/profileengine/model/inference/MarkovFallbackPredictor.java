package dev.profileengine.model.inference;

import dev.profileengine.model.encoding.BehaviorStats;
import dev.profileengine.model.encoding.SummaryFeatures;
import dev.profileengine.model.encoding.UserContext;
import dev.profileengine.model.nn.OutputPolicy;
import dev.profileengine.model.recommend.CategoryScore;
import dev.profileengine.profile.BehaviorType;
import dev.profileengine.profile.RecentBehavior;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The DJL-free predictor for when no model can be loaded: the per-user Markov estimate backed
 * off to global statistics (4 pseudo-counts), the user's own recency-weighted categories, then
 * globally popular ones. Stateless and thread-safe; it is its own {@link BatchWorker}.
 */
public final class MarkovFallbackPredictor implements ServingModel, BatchWorker {
  public static final String VERSION = "markov-fallback";
  private static final double RECENCY = 0.9;

  private final BehaviorStats stats;
  private final List<String> popular;
  private final String version;

  public MarkovFallbackPredictor(BehaviorStats stats, List<String> popularCategories, String version) {
    this.stats = stats;
    this.popular = List.copyOf(popularCategories);
    this.version = version;
  }

  /**
   * Built-in statistics (the Taobao mix: view 89%, favorite 3%, cart 6%, purchase 2%, no
   * transitions), for when not even a manifest is readable.
   */
  public static MarkovFallbackPredictor generic() {
    double[] prior = new double[BehaviorType.count()];
    prior[BehaviorType.VIEW.ordinal()] = 0.89;
    prior[BehaviorType.FAVORITE.ordinal()] = 0.03;
    prior[BehaviorType.CART.ordinal()] = 0.06;
    prior[BehaviorType.PURCHASE.ordinal()] = 0.02;
    double[][] transitions = new double[BehaviorType.count()][];
    for (int i = 0; i < transitions.length; i++) transitions[i] = prior.clone();
    List<BehaviorType> active = List.of(BehaviorType.VIEW, BehaviorType.FAVORITE, BehaviorType.CART, BehaviorType.PURCHASE);
    return new MarkovFallbackPredictor(new BehaviorStats(active, prior, transitions), List.of(), VERSION);
  }

  @Override
  public String version() {
    return version;
  }

  @Override
  public BatchWorker newWorker() {
    return this;
  }

  @Override
  public List<Prediction> predict(List<UserContext> batch) {
    Instant now = Instant.now();
    List<Prediction> out = new ArrayList<>(batch.size());
    for (UserContext ctx : batch) out.add(predictOne(ctx, now));
    return out;
  }

  private Prediction predictOne(UserContext c, Instant now) {
    List<RecentBehavior> ctx = c.recent();
    double[] p = SummaryFeatures.userMarkovProbabilities(c.history(), stats, SummaryFeatures.PSEUDO);
    int unseen = 0;
    double sum = 0;
    for (BehaviorType t : BehaviorType.values()) {
      if (stats.isActive(t)) sum += p[t.ordinal()];
      else unseen++;
    }
    double mass = 1 - unseen * OutputPolicy.UNSEEN_PROBABILITY;
    for (BehaviorType t : BehaviorType.values())
      p[t.ordinal()] = stats.isActive(t) ? mass * p[t.ordinal()] / sum : OutputPolicy.UNSEEN_PROBABILITY;
    return new Prediction(version, Prediction.byWireName(p), categories(ctx), now);
  }

  private List<CategoryScore> categories(List<RecentBehavior> ctx) {
    Map<String, Double> share = OutputPolicy.recencyShares(ctx, RECENCY);
    double own = share.isEmpty() ? 0.0 : 0.9;
    List<CategoryScore> scores = new ArrayList<>();
    for (Map.Entry<String, Double> e : share.entrySet()) scores.add(new CategoryScore(e.getKey(), own * e.getValue()));
    double fill = popular.isEmpty() ? 0 : (1 - own) / popular.size();
    for (String c : popular) if (!share.containsKey(c)) scores.add(new CategoryScore(c, fill));
    scores.sort((a, b) -> Double.compare(b.probability(), a.probability()));
    return scores.subList(0, Math.min(BehaviorPredictor.TOP_K, scores.size()));
  }

  @Override
  public void close() {}
}
