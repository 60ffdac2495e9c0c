package dev.profileengine.model.eval;

import dev.profileengine.data.DataFiles;
import dev.profileengine.model.dataset.BehaviorDataset;
import dev.profileengine.model.dataset.ChronologicalSplit;
import dev.profileengine.model.encoding.BehaviorStats;
import dev.profileengine.model.encoding.UserContext;
import dev.profileengine.model.recommend.Popularity;
import dev.profileengine.model.registry.MetricRow;
import dev.profileengine.profile.BehaviorHistory;
import dev.profileengine.profile.BehaviorType;
import dev.profileengine.profile.RecentBehavior;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.function.IntUnaryOperator;

/**
 * The evaluation protocol of samples/README.md: per user, the first {@code floor(0.8 n)} events are
 * history; each later event is predicted from all events before it; global statistics come from
 * the history part only. The model, every baseline and every recommender row see exactly the same
 * contexts.
 */
public final class Evaluator {
  public static final int TOP_K = 10;
  private static final int CHUNK = 512;

  private Evaluator() {}

  /**
   * A predicted event: the user's context (all events before it, and their {@link BehaviorHistory}
   * counters, folded as a profile folds them) and the actual next one.
   */
  public record Target(String userId, List<RecentBehavior> before, RecentBehavior actual, boolean firstOfUser, BehaviorHistory history) {
    /** A target whose counters are the fold of {@code before}. */
    public Target(String userId, List<RecentBehavior> before, RecentBehavior actual, boolean firstOfUser) {
      this(userId, before, actual, firstOfUser, BehaviorHistory.of(before));
    }

    /** What the model reads: the counters and the events before the target. */
    public UserContext context() {
      return new UserContext(before, history);
    }
  }

  /** Every held-out event of every user (indices {@code >= floor(0.8 n)}), users in data order. */
  public static List<Target> heldOutTargets(BehaviorDataset data, ChronologicalSplit split) {
    return targets(data, n -> split.historyLength(n), n -> n);
  }

  /**
   * The validation slice: the targets of each user's history part from
   * {@link ChronologicalSplit#validationStart(int)} on, each predicted from the events before it
   * (for tuning; never touches the held-out events).
   */
  public static List<Target> validationTargets(BehaviorDataset data, ChronologicalSplit split) {
    return targets(data, n -> split.validationStart(split.historyLength(n)), n -> split.historyLength(n));
  }

  private static List<Target> targets(BehaviorDataset data, IntUnaryOperator from, IntUnaryOperator to) {
    List<Target> out = new ArrayList<>();
    data.users().forEach((u, seq) -> {
      int first = Math.max(1, from.applyAsInt(seq.size()));
      BehaviorHistory h = BehaviorHistory.of(seq.subList(0, first));
      for (int j = first; j < to.applyAsInt(seq.size()); j++) {
        out.add(new Target(u, seq.subList(0, j), seq.get(j), j == first, h));
        h = h.with(seq.get(j));
      }
    });
    return out;
  }

  public static List<List<RecentBehavior>> historyParts(BehaviorDataset data, ChronologicalSplit split) {
    List<List<RecentBehavior>> out = new ArrayList<>();
    data.users().values().forEach(seq -> out.add(seq.subList(0, split.historyLength(seq.size()))));
    return out;
  }

  /**
   * Evaluates the baselines fitted on {@code data}'s history part (each type baseline also tuned
   * on the validation slice, {@link TunedBaseline}), the recommender rows (popularity of the same
   * history part) and, if given, the model; intervals with {@link Bootstrap.Options#DEFAULT}.
   */
  public static EvaluationReport evaluate(BehaviorDataset data, ChronologicalSplit split, BatchScorer model) {
    return evaluate(data, split, model, Bootstrap.Options.DEFAULT);
  }

  public static EvaluationReport evaluate(BehaviorDataset data, ChronologicalSplit split, BatchScorer model, Bootstrap.Options bootstrap) {
    List<List<RecentBehavior>> history = historyParts(data, split);
    BehaviorStats stats = BehaviorStats.fit(history);
    Popularity popularity = Popularity.fit(history, Popularity.DEFAULT_TOP, null, null, null);
    return evaluate(data, split, withTuned(Baseline.standard(stats, history), validationTargets(data, split), stats), model,
        RecommenderRanker.standard(popularity), bootstrap);
  }

  /** Each type baseline followed by its {@link TunedBaseline} fitted on {@code validation}; category baselines as they are. */
  public static List<Baseline> withTuned(List<Baseline> baselines, List<Target> validation, BehaviorStats stats) {
    List<Baseline> out = new ArrayList<>();
    for (Baseline b : baselines) {
      out.add(b);
      if (b instanceof Baseline.TypeBaseline tb && !(b instanceof TunedBaseline) && !validation.isEmpty())
        out.add(TunedBaseline.fit(tb, validation, stats));
    }
    return out;
  }

  public static EvaluationReport evaluate(BehaviorDataset data, ChronologicalSplit split, List<Baseline> baselines, BatchScorer model) {
    return evaluate(data, split, baselines, model, List.of(), Bootstrap.Options.DEFAULT);
  }

  public static EvaluationReport evaluate(BehaviorDataset data, ChronologicalSplit split, List<Baseline> baselines, BatchScorer model,
      List<CategoryRanker> rankers) {
    return evaluate(data, split, baselines, model, rankers, Bootstrap.Options.DEFAULT);
  }

  public static EvaluationReport evaluate(BehaviorDataset data, ChronologicalSplit split, List<Baseline> baselines, BatchScorer model,
      List<CategoryRanker> rankers, Bootstrap.Options bootstrapOptions) {
    List<Target> targets = heldOutTargets(data, split);
    Map<String, Integer> userIndex = new LinkedHashMap<>();
    int[] userOf = new int[targets.size()];
    for (int i = 0; i < targets.size(); i++) userOf[i] = userIndex.computeIfAbsent(targets.get(i).userId(), k -> userIndex.size());
    int users = userIndex.size();
    BehaviorMetrics labels = new BehaviorMetrics();
    for (Target t : targets) {
      double[] one = new double[BehaviorType.count()];
      one[t.actual().type().ordinal()] = 1;
      labels.add(one, t.actual().type(), t.actual().type());
    }
    Map<BehaviorType, Double> shares = new EnumMap<>(BehaviorType.class);
    for (BehaviorType bt : BehaviorType.values()) shares.put(bt, labels.labelShare(bt));
    List<BehaviorType> labelTypes = shares.entrySet().stream().filter(e -> e.getValue() > 0).map(Map.Entry::getKey).toList();

    Map<String, Pending> pending = new LinkedHashMap<>();
    List<BatchScorer.Scored> scored = model == null ? null : scoreAll(model, targets);
    if (model != null) {
      UserTally tally = new UserTally(users, true, true);
      ReliabilityCurve rc = new ReliabilityCurve();
      BehaviorMetrics bm = new BehaviorMetrics();
      for (int i = 0; i < targets.size(); i++) {
        BatchScorer.Scored s = scored.get(i);
        BehaviorType actual = targets.get(i).actual().type();
        bm.add(s.typeProbabilities(), s.decision(), actual);
        tally.behavior(userOf[i]).add(s.typeProbabilities(), s.decision(), actual);
        rc.add(s.typeProbabilities(), actual);
      }
      CategoryMetrics cm = categoryMetrics(targets, i -> scored.get(i).topCategories(), userOf, tally);
      pending.put("model", new Pending(model.title(), EvaluationReport.Kind.MODEL, bm, cm, tally, rc));
    }
    for (Baseline b : baselines) {
      EvaluationReport.Kind kind = b instanceof TunedBaseline ? EvaluationReport.Kind.TUNED_BASELINE : EvaluationReport.Kind.BASELINE;
      if (b instanceof Baseline.TypeBaseline tb) {
        UserTally tally = new UserTally(users, true, false);
        ReliabilityCurve rc = new ReliabilityCurve();
        BehaviorMetrics bm = new BehaviorMetrics();
        for (int i = 0; i < targets.size(); i++) {
          Target t = targets.get(i);
          double[] p = tb.predict(t.before());
          BehaviorType decision = tb.decide(t.before(), p);
          bm.add(p, decision, t.actual().type());
          tally.behavior(userOf[i]).add(p, decision, t.actual().type());
          rc.add(p, t.actual().type());
        }
        pending.put(b.key(), new Pending(b.title(), kind, bm, null, tally, rc));
      } else if (b instanceof Baseline.CategoryBaseline cb) {
        UserTally tally = new UserTally(users, false, true);
        CategoryMetrics cm = categoryMetrics(targets, i -> cb.top(targets.get(i).before(), TOP_K), userOf, tally);
        pending.put(b.key(), new Pending(b.title(), kind, null, cm, tally, null));
      }
    }
    for (CategoryRanker r : rankers) {
      UserTally tally = new UserTally(users, false, true);
      CategoryMetrics cm = categoryMetrics(targets,
          i -> r.top(targets.get(i).before(), scored == null ? List.of() : scored.get(i).categories(), TOP_K), userOf, tally);
      pending.put(r.key(), new Pending(r.title(), EvaluationReport.Kind.RECOMMENDER, null, cm, tally, null));
    }

    Bootstrap bootstrap = new Bootstrap(users, bootstrapOptions);
    Map<String, Map<String, double[]>> replicates = new LinkedHashMap<>();
    Map<String, EvaluationReport.Row> rows = new LinkedHashMap<>();
    pending.forEach((k, p) -> {
      Map<String, double[]> rep = p.tally().replicates(bootstrap, labelTypes);
      replicates.put(k, rep);
      Map<String, Bootstrap.Interval> ci = new LinkedHashMap<>();
      if (bootstrap.resamples() > 0) rep.forEach((mk, v) -> ci.put(mk, Bootstrap.percentile(v, 0.95)));
      Map<BehaviorType, Double> f1 = new LinkedHashMap<>();
      if (p.behavior() != null) for (BehaviorType t : labelTypes) f1.put(t, p.behavior().f1(t));
      rows.put(k, new EvaluationReport.Row(p.title(), row(p.behavior(), p.category()), p.kind(), f1, ci,
          p.reliability() == null ? List.of() : p.reliability().bins()));
    });
    List<EvaluationReport.Difference> differences = new ArrayList<>();
    if (model != null && bootstrap.resamples() > 0) {
      for (String metric : replicates.get("model").keySet()) {
        EvaluationReport.Difference d = difference(metric, rows, replicates);
        if (d != null) differences.add(d);
      }
    }
    return new EvaluationReport(data.source() == null ? "(in memory)" : DataFiles.dataName(data.source()),
        data.sha256(), data.userCount(), targets.size(), shares, rows, differences, bootstrapOptions);
  }

  /** A row's accumulators before the intervals are drawn. */
  private record Pending(String title, EvaluationReport.Kind kind, BehaviorMetrics behavior, CategoryMetrics category, UserTally tally,
      ReliabilityCurve reliability) {}

  /** Model minus the best baseline row on {@code metric} (best by point estimate), paired over the same resamples. */
  private static EvaluationReport.Difference difference(String metric, Map<String, EvaluationReport.Row> rows,
      Map<String, Map<String, double[]>> replicates) {
    boolean lower = metric.equals(UserTally.LOG_LOSS);
    String bestKey = null;
    double best = Double.NaN;
    for (Map.Entry<String, EvaluationReport.Row> e : rows.entrySet()) {
      if (!e.getValue().isBaseline()) continue;
      double v = pointEstimate(e.getValue(), metric);
      if (Double.isNaN(v)) continue;
      if (bestKey == null || (lower ? v < best : v > best)) {
        bestKey = e.getKey();
        best = v;
      }
    }
    if (bestKey == null) return null;
    double[] m = replicates.get("model").get(metric);
    double[] b = replicates.get(bestKey).get(metric);
    double[] d = new double[m.length];
    for (int r = 0; r < m.length; r++) d[r] = m[r] - b[r];
    double model = pointEstimate(rows.get("model"), metric);
    return new EvaluationReport.Difference(metric, bestKey, model, best, model - best, Bootstrap.percentile(d, 0.95));
  }

  private static double pointEstimate(EvaluationReport.Row r, String metric) {
    MetricRow m = r.metrics();
    Double v = switch (metric) {
      case UserTally.ACCURACY -> m.accuracy();
      case UserTally.MACRO_F1 -> m.macroF1();
      case UserTally.LOG_LOSS -> m.logLoss();
      case UserTally.HIT_RATE -> m.categoryHitRateAt10();
      case UserTally.RECALL -> m.categoryRecallAt10();
      default -> metric.startsWith("f1:") ? BehaviorType.fromWire(metric.substring(3)).map(t -> r.f1PerType().get(t)).orElse(null) : null;
    };
    return v == null ? Double.NaN : v;
  }

  /** The model's output for every target's context, in target order (batches of 512). */
  public static List<BatchScorer.Scored> scoreAll(BatchScorer model, List<Target> targets) {
    List<BatchScorer.Scored> out = new ArrayList<>(targets.size());
    for (int from = 0; from < targets.size(); from += CHUNK)
      out.addAll(model.score(targets.subList(from, Math.min(targets.size(), from + CHUNK)).stream().map(Target::context).toList()));
    return out;
  }

  /**
   * HitRate@10 over all targets and Recall@10 over users (the list made for each user's first
   * target against the distinct categories of all that user's targets) of the lists
   * {@code topOf.apply(i)} for target {@code i} (cut to {@link #TOP_K}).
   */
  public static CategoryMetrics categoryMetrics(List<Target> targets, IntFunction<List<String>> topOf) {
    return categoryMetrics(targets, topOf, null, null);
  }

  /** As {@link #categoryMetrics(List, IntFunction)}, also adding each target to its user's accumulator in {@code tally}. */
  static CategoryMetrics categoryMetrics(List<Target> targets, IntFunction<List<String>> topOf, int[] userOf, UserTally tally) {
    Map<String, Set<String>> laterCats = new HashMap<>();
    for (Target t : targets) {
      Set<String> s = laterCats.computeIfAbsent(t.userId(), k -> new HashSet<>());
      if (t.actual().categoryId() != null) s.add(t.actual().categoryId());
    }
    CategoryMetrics cm = new CategoryMetrics();
    for (int i = 0; i < targets.size(); i++) {
      Target t = targets.get(i);
      List<String> top = topOf.apply(i);
      top = top.subList(0, Math.min(TOP_K, top.size()));
      cm.addEvent(top, t.actual().categoryId());
      if (tally != null) tally.category(userOf[i]).addEvent(top, t.actual().categoryId());
      if (t.firstOfUser()) {
        cm.addUser(top, laterCats.get(t.userId()));
        if (tally != null) tally.category(userOf[i]).addUser(top, laterCats.get(t.userId()));
      }
    }
    return cm;
  }

  /** Index of the largest probability (first on ties) as a type. */
  public static BehaviorType argmax(double[] p) {
    int best = 0;
    for (int i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
    return BehaviorType.ofIndex(best);
  }

  private static MetricRow row(BehaviorMetrics b, CategoryMetrics c) {
    return new MetricRow(
        b == null ? null : b.accuracy(), b == null ? null : b.macroF1(), b == null ? null : b.logLoss(),
        c == null ? null : c.hitRate(), c == null ? null : c.userRecall());
  }
}
