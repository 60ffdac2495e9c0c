package dev.profileengine.model.eval;

import dev.profileengine.data.DataFiles;
import dev.profileengine.model.dataset.BehaviorDataset;
import dev.profileengine.model.dataset.ChronologicalSplit;
import dev.profileengine.model.encoding.BehaviorStats;
import dev.profileengine.model.recommend.Popularity;
import dev.profileengine.model.registry.MetricRow;
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

  /** A predicted event: the user's context (all events before it) and the actual next one. */
  public record Target(String userId, List<RecentBehavior> before, RecentBehavior actual, boolean firstOfUser) {}

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
      for (int j = first; j < to.applyAsInt(seq.size()); j++) out.add(new Target(u, seq.subList(0, j), seq.get(j), j == first));
    });
    return out;
  }

  public static List<List<RecentBehavior>> historyParts(BehaviorDataset data, ChronologicalSplit split) {
    List<List<RecentBehavior>> out = new ArrayList<>();
    data.users().values().forEach(seq -> out.add(seq.subList(0, split.historyLength(seq.size()))));
    return out;
  }

  /**
   * Evaluates the baselines fitted on {@code data}'s history part, the recommender rows (popularity
   * of the same history part) and, if given, the model.
   */
  public static EvaluationReport evaluate(BehaviorDataset data, ChronologicalSplit split, BatchScorer model) {
    List<List<RecentBehavior>> history = historyParts(data, split);
    BehaviorStats stats = BehaviorStats.fit(history);
    Popularity popularity = Popularity.fit(history, Popularity.DEFAULT_TOP, null, null, null);
    return evaluate(data, split, Baseline.standard(stats, history), model, RecommenderRanker.standard(popularity));
  }

  public static EvaluationReport evaluate(BehaviorDataset data, ChronologicalSplit split, List<Baseline> baselines, BatchScorer model) {
    return evaluate(data, split, baselines, model, List.of());
  }

  public static EvaluationReport evaluate(BehaviorDataset data, ChronologicalSplit split, List<Baseline> baselines, BatchScorer model,
      List<CategoryRanker> rankers) {
    List<Target> targets = heldOutTargets(data, split);
    Map<String, EvaluationReport.Row> rows = new LinkedHashMap<>();
    BehaviorMetrics labels = new BehaviorMetrics();
    List<BatchScorer.Scored> scored = model == null ? null : scoreAll(model, targets);
    if (model != null) {
      BehaviorMetrics bm = new BehaviorMetrics();
      for (int i = 0; i < targets.size(); i++)
        bm.add(scored.get(i).typeProbabilities(), scored.get(i).decision(), targets.get(i).actual().type());
      CategoryMetrics cm = categoryMetrics(targets, i -> scored.get(i).topCategories());
      rows.put("model", new EvaluationReport.Row(model.title(), row(bm, cm)));
    }
    for (Baseline b : baselines) {
      BehaviorMetrics bm = null;
      CategoryMetrics cm = null;
      if (b instanceof Baseline.TypeBaseline tb) {
        bm = new BehaviorMetrics();
        for (Target t : targets) {
          double[] p = tb.predict(t.before());
          bm.add(p, argmax(p), t.actual().type());
        }
      } else if (b instanceof Baseline.CategoryBaseline cb) {
        cm = categoryMetrics(targets, i -> cb.top(targets.get(i).before(), TOP_K));
      }
      rows.put(b.key(), new EvaluationReport.Row(b.title(), row(bm, cm)));
    }
    for (CategoryRanker r : rankers) {
      CategoryMetrics cm = categoryMetrics(targets,
          i -> r.top(targets.get(i).before(), scored == null ? List.of() : scored.get(i).categories(), TOP_K));
      rows.put(r.key(), new EvaluationReport.Row(r.title(), row(null, cm)));
    }
    for (Target t : targets) {
      double[] one = new double[BehaviorType.count()];
      one[t.actual().type().ordinal()] = 1;
      labels.add(one, t.actual().type(), t.actual().type());
    }
    Map<BehaviorType, Double> shares = new EnumMap<>(BehaviorType.class);
    for (BehaviorType bt : BehaviorType.values()) shares.put(bt, labels.labelShare(bt));
    return new EvaluationReport(data.source() == null ? "(in memory)" : DataFiles.dataName(data.source()),
        data.sha256(), data.userCount(), targets.size(), shares, rows);
  }

  /** The model's output for every target's context, in target order (batches of 512). */
  public static List<BatchScorer.Scored> scoreAll(BatchScorer model, List<Target> targets) {
    List<BatchScorer.Scored> out = new ArrayList<>(targets.size());
    for (int from = 0; from < targets.size(); from += CHUNK)
      out.addAll(model.score(targets.subList(from, Math.min(targets.size(), from + CHUNK)).stream().map(Target::before).toList()));
    return out;
  }

  /**
   * HitRate@10 over all targets and Recall@10 over users (the list made for each user's first
   * target against the distinct categories of all that user's targets) of the lists
   * {@code topOf.apply(i)} for target {@code i} (cut to {@link #TOP_K}).
   */
  public static CategoryMetrics categoryMetrics(List<Target> targets, IntFunction<List<String>> topOf) {
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
      if (t.firstOfUser()) cm.addUser(top, laterCats.get(t.userId()));
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
