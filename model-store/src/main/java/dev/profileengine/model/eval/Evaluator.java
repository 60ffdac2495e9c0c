package dev.profileengine.model.eval;

import dev.profileengine.model.BehaviorType;
import dev.profileengine.model.RecentBehavior;
import dev.profileengine.model.data.BehaviorDataset;
import dev.profileengine.model.data.ChronologicalSplit;
import dev.profileengine.model.encoding.BehaviorStats;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The evaluation protocol of SOURCES.md: per user, the first {@code floor(0.8 n)} events are
 * history; each later event is predicted from all events before it; global statistics come from
 * the history part only. The model and every baseline see exactly the same contexts.
 */
public final class Evaluator {
  public static final int TOP_K = 10;
  private static final int CHUNK = 512;

  private Evaluator() {}

  /** A predicted event: the user's context (all events before it) and the actual next one. */
  public record Target(String userId, List<RecentBehavior> before, RecentBehavior actual, boolean firstOfUser) {}

  public static List<Target> heldOutTargets(BehaviorDataset data, ChronologicalSplit split) {
    List<Target> out = new ArrayList<>();
    data.users().forEach((u, seq) -> {
      int h = split.historyLength(seq.size());
      for (int j = Math.max(1, h); j < seq.size(); j++) out.add(new Target(u, seq.subList(0, j), seq.get(j), j == Math.max(1, h)));
    });
    return out;
  }

  public static List<List<RecentBehavior>> historyParts(BehaviorDataset data, ChronologicalSplit split) {
    List<List<RecentBehavior>> out = new ArrayList<>();
    data.users().values().forEach(seq -> out.add(seq.subList(0, split.historyLength(seq.size()))));
    return out;
  }

  /** Evaluates the baselines fitted on {@code data}'s history part and, if given, the model. */
  public static EvaluationReport evaluate(BehaviorDataset data, ChronologicalSplit split, BatchScorer model) {
    List<List<RecentBehavior>> history = historyParts(data, split);
    BehaviorStats stats = BehaviorStats.fit(history);
    return evaluate(data, split, Baseline.standard(stats, history), model);
  }

  public static EvaluationReport evaluate(BehaviorDataset data, ChronologicalSplit split, List<Baseline> baselines, BatchScorer model) {
    List<Target> targets = heldOutTargets(data, split);
    Map<String, Set<String>> heldOutCats = new LinkedHashMap<>();
    for (Target t : targets) {
      Set<String> s = heldOutCats.computeIfAbsent(t.userId(), k -> new HashSet<>());
      if (t.actual().categoryId() != null) s.add(t.actual().categoryId());
    }
    Map<String, EvaluationReport.Row> rows = new LinkedHashMap<>();
    BehaviorMetrics labels = new BehaviorMetrics();
    if (model != null) {
      BehaviorMetrics bm = new BehaviorMetrics();
      CategoryMetrics cm = new CategoryMetrics();
      for (int from = 0; from < targets.size(); from += CHUNK) {
        List<Target> chunk = targets.subList(from, Math.min(targets.size(), from + CHUNK));
        List<BatchScorer.Scored> scored = model.score(chunk.stream().map(Target::before).toList());
        for (int i = 0; i < chunk.size(); i++) {
          Target t = chunk.get(i);
          BatchScorer.Scored s = scored.get(i);
          bm.add(s.typeProbabilities(), s.decision(), t.actual().type());
          List<String> top = s.topCategories().subList(0, Math.min(TOP_K, s.topCategories().size()));
          cm.addEvent(top, t.actual().categoryId());
          if (t.firstOfUser()) cm.addUser(top, heldOutCats.get(t.userId()));
        }
      }
      rows.put("model", new EvaluationReport.Row(model.title(), MetricRow.of(bm, cm)));
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
        cm = new CategoryMetrics();
        for (Target t : targets) {
          List<String> top = cb.top(t.before(), TOP_K);
          cm.addEvent(top, t.actual().categoryId());
          if (t.firstOfUser()) cm.addUser(top, heldOutCats.get(t.userId()));
        }
      }
      rows.put(b.key(), new EvaluationReport.Row(b.title(), MetricRow.of(bm, cm)));
    }
    for (Target t : targets) {
      double[] one = new double[BehaviorType.count()];
      one[t.actual().type().ordinal()] = 1;
      labels.add(one, t.actual().type(), t.actual().type());
    }
    Map<BehaviorType, Double> shares = new EnumMap<>(BehaviorType.class);
    for (BehaviorType bt : BehaviorType.values()) shares.put(bt, labels.labelShare(bt));
    return new EvaluationReport(data.source() == null ? "(in memory)" : data.source().getFileName().toString(),
        data.sha256(), data.userCount(), targets.size(), shares, rows);
  }

  /** Index of the largest probability (first on ties) as a type. */
  public static BehaviorType argmax(double[] p) {
    int best = 0;
    for (int i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
    return BehaviorType.ofIndex(best);
  }
}
