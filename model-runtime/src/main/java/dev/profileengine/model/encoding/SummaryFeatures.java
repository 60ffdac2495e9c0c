package dev.profileengine.model.encoding;

import dev.profileengine.profile.BehaviorHistory;
import dev.profileengine.profile.BehaviorType;
import dev.profileengine.profile.RecentBehavior;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Hand-made summary of the user's context, fed to the model next to the GRU state. The whole-history
 * parts come from the user's {@link BehaviorHistory} counters (so a profile keeping 50 behaviors
 * serves what an offline fold over every earlier event computes), the rest from the recent window
 * (marked "window"; none reads more than the last 21). With K active types, in this order:
 *
 * <ol>
 *   <li>K: the user's own type mix so far, log((count + 4 prior) / (n + 4));
 *   <li>K: the user's own transition row from the last type, backed off to the global
 *       transitions with 4 pseudo-counts, as log-probabilities (the per-user Markov estimate);
 *   <li>K: window: type mix of the last 10 behaviors;
 *   <li>K: log(1 + count of each type in the last behavior's category) (the counters keep the
 *       {@value BehaviorHistory#CATEGORY_CAP} most recently seen categories);
 *   <li>K: log(1 + hours since the last behavior of each type), 6 (a week) when none;
 *   <li>log(1 + n) for the history size n;
 *   <li>window: whether the last two behaviors share a category;
 *   <li>window: share of the 20 behaviors before the last one in the last one's category;
 *   <li>window: distinct categories among the last 20, divided by 20;
 *   <li>window: log(1 + seconds between the last two behaviors) / 10;
 *   <li>log(1 + length of the run of the last type);
 *   <li>log(1 + length of the run of the last category);
 *   <li>log(1 + behaviors in the current session), a session ending at a 30 minute gap;
 *   <li>window: sin and cos of the last behavior's hour of day (UTC+8, the data's market);
 *   <li>only in {@link #WEEKDAY_CONTRACT}: window: sin and cos of the last behavior's day of week (UTC+8).
 * </ol>
 *
 * A model names its contract in the manifest; every contract listed here stays computable, so an
 * older version is still served the features it was trained on.
 */
public final class SummaryFeatures {
  /** Names the summary contract in manifests: the loader refuses a model trained on another one. */
  public static final String CONTRACT = "history-counters-1";
  /** {@link #CONTRACT} plus the day of week; a new name, so models of either contract load side by side. */
  public static final String WEEKDAY_CONTRACT = "history-counters-2";
  public static final List<String> CONTRACTS = List.of(CONTRACT, WEEKDAY_CONTRACT);
  public static final double PSEUDO = 4.0;
  private static final long MARKET_OFFSET_MS = 8 * 3_600_000L;

  private SummaryFeatures() {}

  public static boolean supported(String contract) {
    return contract != null && CONTRACTS.contains(contract); // List.of(...).contains(null) throws
  }

  public static int count(BehaviorStats stats) {
    return count(stats, CONTRACT);
  }

  public static int count(BehaviorStats stats, String contract) {
    return 5 * stats.activeTypes().size() + 10 + (WEEKDAY_CONTRACT.equals(checked(contract)) ? 2 : 0);
  }

  public static float[] compute(List<RecentBehavior> window, BehaviorHistory history, BehaviorStats stats) {
    return compute(window, history, stats, CONTRACT);
  }

  public static float[] compute(List<RecentBehavior> window, BehaviorHistory history, BehaviorStats stats, String contract) {
    float[] f = new float[count(stats, contract)];
    int o = typeMix(history, stats, f, 0);
    o = userMarkov(history, stats, f, o);
    o = recentMix(window, stats, f, o);
    o = lastCategoryTypes(history, stats, f, o);
    o = sinceType(history, stats, f, o);
    o = shape(window, history, f, o);
    if (WEEKDAY_CONTRACT.equals(contract)) o = weekday(window, f, o);
    assert o == f.length;
    return f;
  }

  /** {@code contract}, or an IllegalArgumentException naming the known ones. */
  static String checked(String contract) {
    if (!supported(contract)) throw new IllegalArgumentException("unknown summary contract '" + contract + "', known: " + CONTRACTS);
    return contract;
  }

  private static int weekday(List<RecentBehavior> ctx, float[] f, int o) {
    int n = ctx.size();
    if (n == 0) {
      f[o++] = 0f;
      f[o++] = 0f;
      return o;
    }
    long day = Math.floorDiv(ctx.get(n - 1).epochMillis() + MARKET_OFFSET_MS, 86_400_000L);
    // 1970-01-01 was a Thursday: +3 makes Monday 0.
    double dow = Math.floorMod(day + 3, 7L);
    f[o++] = (float) Math.sin(2 * Math.PI * dow / 7);
    f[o++] = (float) Math.cos(2 * Math.PI * dow / 7);
    return o;
  }

  private static int typeMix(BehaviorHistory h, BehaviorStats stats, float[] f, int o) {
    double[] prior = stats.prior();
    for (BehaviorType a : stats.activeTypes())
      f[o++] = (float) Math.log((h.typeCount(a) + PSEUDO * prior[a.ordinal()]) / (h.count() + PSEUDO));
    return o;
  }

  private static int userMarkov(BehaviorHistory h, BehaviorStats stats, float[] f, int o) {
    double[] p = userMarkovProbabilities(h, stats, PSEUDO);
    for (BehaviorType a : stats.activeTypes()) f[o++] = (float) Math.log(Math.max(1e-12, p[a.ordinal()]));
    return o;
  }

  /**
   * The per-user Markov estimate: the user's own transitions from the last type, backed off to
   * the global row with {@code pseudo} pseudo-counts; the prior for an empty history.
   */
  public static double[] userMarkovProbabilities(BehaviorHistory h, BehaviorStats stats, double pseudo) {
    BehaviorType last = h.lastBehaviorType();
    if (last == null) return stats.prior().clone();
    double[] counts = new double[BehaviorType.count()];
    double row = 0;
    for (BehaviorType next : BehaviorType.values()) {
      counts[next.ordinal()] = h.transitions(last, next);
      row += counts[next.ordinal()];
    }
    double[] global = stats.transitions()[last.ordinal()];
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

  private static int lastCategoryTypes(BehaviorHistory h, BehaviorStats stats, float[] f, int o) {
    for (BehaviorType a : stats.activeTypes()) f[o++] = (float) Math.log1p(h.categoryCount(h.lastCategory(), a));
    return o;
  }

  private static int sinceType(BehaviorHistory h, BehaviorStats stats, float[] f, int o) {
    long now = h.latestMillis();
    for (BehaviorType a : stats.activeTypes()) {
      long at = h.lastMillis(a);
      f[o++] = h.count() == 0 || at == Long.MIN_VALUE ? 6f
          : (float) Math.min(6.0, Math.log1p(Math.max(0, now - at) / 3_600_000.0));
    }
    return o;
  }

  private static int shape(List<RecentBehavior> ctx, BehaviorHistory h, float[] f, int o) {
    int n = ctx.size();
    f[o++] = (float) Math.log1p(h.count());
    String lastCat = n == 0 ? null : ctx.get(n - 1).categoryId();
    f[o++] = n >= 2 && lastCat != null && lastCat.equals(ctx.get(n - 2).categoryId()) ? 1f : 0f;
    int same = 0;
    for (int i = Math.max(0, n - 21); i < n - 1; i++) if (lastCat != null && lastCat.equals(ctx.get(i).categoryId())) same++;
    f[o++] = same / 20f;
    Set<String> distinct = new HashSet<>();
    for (int i = Math.max(0, n - 20); i < n; i++) distinct.add(Objects.requireNonNullElse(ctx.get(i).categoryId(), ""));
    f[o++] = distinct.size() / 20f;
    f[o++] = n >= 2 ? (float) (Math.log1p(Math.max(0, ctx.get(n - 1).epochMillis() - ctx.get(n - 2).epochMillis()) / 1000.0) / 10) : 0f;
    f[o++] = (float) Math.log1p(h.typeRun());
    f[o++] = (float) Math.log1p(h.categoryRun());
    f[o++] = (float) Math.log1p(h.sessionLength());
    double hour = n == 0 ? 0 : Math.floorMod(ctx.get(n - 1).epochMillis() + MARKET_OFFSET_MS, 86_400_000L) / 3_600_000.0;
    f[o++] = n == 0 ? 0f : (float) Math.sin(2 * Math.PI * hour / 24);
    f[o++] = n == 0 ? 0f : (float) Math.cos(2 * Math.PI * hour / 24);
    return o;
  }

  /** Names in feature order, for the manifest. */
  public static List<String> names(BehaviorStats stats) {
    return names(stats, CONTRACT);
  }

  public static List<String> names(BehaviorStats stats, String contract) {
    checked(contract);
    List<String> names = new ArrayList<>();
    for (String g : List.of("userMix.", "userMarkov.", "last10Mix.", "lastCategoryCount.", "logHoursSince."))
      for (BehaviorType a : stats.activeTypes()) names.add(g + a.wire());
    names.addAll(List.of("logContextSize", "lastTwoSameCategory", "lastCategoryShare20", "distinctCategories20",
        "lastGapLogSeconds", "lastTypeRunLog", "lastCategoryRunLog", "sessionLengthLog", "hourSin", "hourCos"));
    if (WEEKDAY_CONTRACT.equals(contract)) names.addAll(List.of("weekdaySin", "weekdayCos"));
    return names;
  }
}
