package dev.profileengine.model.encoding;

import dev.profileengine.profile.BehaviorType;
import dev.profileengine.profile.RecentBehavior;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Hand-made summary of the user's context, fed to the model next to the GRU state. With K
 * active types, in this order:
 *
 * <ol>
 *   <li>K: the user's own type mix so far, log((count + 4 prior) / (n + 4));
 *   <li>K: the user's own transition row from the last type, backed off to the global
 *       transitions with 4 pseudo-counts, as log-probabilities (the per-user Markov estimate);
 *   <li>K: type mix of the last 10 behaviors;
 *   <li>K: log(1 + count of each type in the last behavior's category);
 *   <li>K: log(1 + hours since the last behavior of each type), 6 (a week) when none;
 *   <li>log(1 + n) for the context size n;
 *   <li>whether the last two behaviors share a category;
 *   <li>share of the 20 behaviors before the last one in the last one's category;
 *   <li>distinct categories among the last 20, divided by 20;
 *   <li>log(1 + seconds between the last two behaviors) / 10;
 *   <li>log(1 + length of the run of the last type);
 *   <li>log(1 + length of the run of the last category);
 *   <li>log(1 + behaviors in the current session), a session ending at a 30 minute gap;
 *   <li>sin and cos of the last behavior's hour of day (UTC+8, the data's market).
 * </ol>
 */
public final class SummaryFeatures {
  public static final double PSEUDO = 4.0;
  private static final long SESSION_GAP_MS = 30 * 60_000L;
  private static final long MARKET_OFFSET_MS = 8 * 3_600_000L;

  private SummaryFeatures() {}

  public static int count(BehaviorStats stats) {
    return 5 * stats.activeTypes().size() + 10;
  }

  public static float[] compute(List<RecentBehavior> ctx, BehaviorStats stats) {
    float[] f = new float[count(stats)];
    int o = typeMix(ctx, stats, f, 0);
    o = userMarkov(ctx, stats, f, o);
    o = recentMix(ctx, stats, f, o);
    o = lastCategoryTypes(ctx, stats, f, o);
    o = sinceType(ctx, stats, f, o);
    o = shape(ctx, f, o);
    assert o == f.length;
    return f;
  }

  private static int typeMix(List<RecentBehavior> ctx, BehaviorStats stats, float[] f, int o) {
    int n = ctx.size();
    double[] counts = new double[BehaviorType.count()];
    for (RecentBehavior b : ctx) counts[b.type().ordinal()]++;
    double[] prior = stats.prior();
    for (BehaviorType a : stats.activeTypes())
      f[o++] = (float) Math.log((counts[a.ordinal()] + PSEUDO * prior[a.ordinal()]) / (n + PSEUDO));
    return o;
  }

  private static int userMarkov(List<RecentBehavior> ctx, BehaviorStats stats, float[] f, int o) {
    double[] p = userMarkovProbabilities(ctx, stats, PSEUDO);
    for (BehaviorType a : stats.activeTypes()) f[o++] = (float) Math.log(Math.max(1e-12, p[a.ordinal()]));
    return o;
  }

  /**
   * The per-user Markov estimate: the user's own transitions from the last type, backed off to
   * the global row with {@code pseudo} pseudo-counts; the prior for an empty context.
   */
  public static double[] userMarkovProbabilities(List<RecentBehavior> ctx, BehaviorStats stats, double pseudo) {
    int n = ctx.size();
    if (n == 0) return stats.prior().clone();
    int last = ctx.get(n - 1).type().ordinal();
    double[] counts = new double[BehaviorType.count()];
    double row = 0;
    for (int i = 1; i < n; i++) {
      if (ctx.get(i - 1).type().ordinal() == last) {
        counts[ctx.get(i).type().ordinal()]++;
        row++;
      }
    }
    double[] global = stats.transitions()[last];
    double[] p = new double[BehaviorType.count()];
    for (BehaviorType a : stats.activeTypes())
      p[a.ordinal()] = (counts[a.ordinal()] + pseudo * global[a.ordinal()]) / (row + pseudo);
    return p;
  }

  private static int recentMix(List<RecentBehavior> ctx, BehaviorStats stats, float[] f, int o) {
    int n = ctx.size();
    int recent = Math.min(10, n);
    for (BehaviorType a : stats.activeTypes()) {
      int c = 0;
      for (int i = n - recent; i < n; i++) if (ctx.get(i).type() == a) c++;
      f[o++] = recent == 0 ? 0f : (float) c / recent;
    }
    return o;
  }

  private static int lastCategoryTypes(List<RecentBehavior> ctx, BehaviorStats stats, float[] f, int o) {
    int n = ctx.size();
    String cat = n == 0 ? null : ctx.get(n - 1).categoryId();
    double[] counts = new double[BehaviorType.count()];
    if (cat != null) for (RecentBehavior b : ctx) if (cat.equals(b.categoryId())) counts[b.type().ordinal()]++;
    for (BehaviorType a : stats.activeTypes()) f[o++] = (float) Math.log1p(counts[a.ordinal()]);
    return o;
  }

  private static int sinceType(List<RecentBehavior> ctx, BehaviorStats stats, float[] f, int o) {
    int n = ctx.size();
    long now = n == 0 ? 0 : ctx.get(n - 1).epochMillis();
    for (BehaviorType a : stats.activeTypes()) {
      float v = 6f;
      for (int i = n - 1; i >= 0; i--) {
        if (ctx.get(i).type() == a) {
          v = (float) Math.min(6.0, Math.log1p(Math.max(0, now - ctx.get(i).epochMillis()) / 3_600_000.0));
          break;
        }
      }
      f[o++] = v;
    }
    return o;
  }

  private static int shape(List<RecentBehavior> ctx, float[] f, int o) {
    int n = ctx.size();
    f[o++] = (float) Math.log1p(n);
    String lastCat = n == 0 ? null : ctx.get(n - 1).categoryId();
    f[o++] = n >= 2 && lastCat != null && lastCat.equals(ctx.get(n - 2).categoryId()) ? 1f : 0f;
    int same = 0;
    for (int i = Math.max(0, n - 21); i < n - 1; i++) if (lastCat != null && lastCat.equals(ctx.get(i).categoryId())) same++;
    f[o++] = same / 20f;
    Set<String> distinct = new HashSet<>();
    for (int i = Math.max(0, n - 20); i < n; i++) distinct.add(Objects.requireNonNullElse(ctx.get(i).categoryId(), ""));
    f[o++] = distinct.size() / 20f;
    f[o++] = n >= 2 ? (float) (Math.log1p(Math.max(0, ctx.get(n - 1).epochMillis() - ctx.get(n - 2).epochMillis()) / 1000.0) / 10) : 0f;
    int run = 0;
    for (int i = n - 1; i >= 0 && ctx.get(i).type() == ctx.get(n - 1).type(); i--) run++;
    f[o++] = (float) Math.log1p(run);
    int catRun = 0;
    for (int i = n - 1; i >= 0 && lastCat != null && lastCat.equals(ctx.get(i).categoryId()); i--) catRun++;
    f[o++] = (float) Math.log1p(catRun);
    int session = n == 0 ? 0 : 1;
    for (int i = n - 1; i > 0 && ctx.get(i).epochMillis() - ctx.get(i - 1).epochMillis() < SESSION_GAP_MS; i--) session++;
    f[o++] = (float) Math.log1p(session);
    double hour = n == 0 ? 0 : Math.floorMod(ctx.get(n - 1).epochMillis() + MARKET_OFFSET_MS, 86_400_000L) / 3_600_000.0;
    f[o++] = n == 0 ? 0f : (float) Math.sin(2 * Math.PI * hour / 24);
    f[o++] = n == 0 ? 0f : (float) Math.cos(2 * Math.PI * hour / 24);
    return o;
  }

  /** Names in feature order, for the manifest. */
  public static List<String> names(BehaviorStats stats) {
    List<String> names = new ArrayList<>();
    for (String g : List.of("userMix.", "userMarkov.", "last10Mix.", "lastCategoryCount.", "logHoursSince."))
      for (BehaviorType a : stats.activeTypes()) names.add(g + a.wire());
    names.addAll(List.of("logContextSize", "lastTwoSameCategory", "lastCategoryShare20", "distinctCategories20",
        "lastGapLogSeconds", "lastTypeRunLog", "lastCategoryRunLog", "sessionLengthLog", "hourSin", "hourCos"));
    return names;
  }
}
