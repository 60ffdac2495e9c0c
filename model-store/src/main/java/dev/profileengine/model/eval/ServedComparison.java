package dev.profileengine.model.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.profileengine.model.registry.MetricRow;
import dev.profileengine.profile.BehaviorType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The predictions a running node served against the model's offline ones, on the same held-out
 * events ({@link Evaluator#heldOutTargets}) with the same metrics and the same bootstrap resamples
 * of users as {@link Evaluator}: the served row, the offline model on exactly the events that have
 * a served prediction, and their paired difference (served - offline) with its interval.
 *
 * @param served the served predictions' metrics over the events that have one
 * @param offline the offline model's metrics over the same events
 * @param differences per metric: served - offline, paired over the same resamples
 * @param predictedEvents held-out events; @param scoredEvents those with a served prediction
 */
public record ServedComparison(EvaluationReport.Row served, EvaluationReport.Row offline, List<EvaluationReport.Difference> differences,
    long predictedEvents, long scoredEvents) {

  public ServedComparison {
    differences = List.copyOf(differences);
  }

  /**
   * @param targets every held-out event, as {@link Evaluator#heldOutTargets} lists them
   * @param offline the model's output for each target, in the same order
   * @param served the node's prediction for each target, null where it has none
   */
  public static ServedComparison compare(List<Evaluator.Target> targets, List<BatchScorer.Scored> offline, List<BatchScorer.Scored> served,
      String servedTitle, String offlineTitle, Bootstrap.Options options) {
    if (offline.size() != targets.size() || served.size() != targets.size())
      throw new IllegalArgumentException("targets " + targets.size() + ", offline " + offline.size() + ", served " + served.size());
    Map<String, Integer> userIndex = new LinkedHashMap<>();
    int[] userOf = new int[targets.size()];
    for (int i = 0; i < targets.size(); i++) userOf[i] = userIndex.computeIfAbsent(targets.get(i).userId(), k -> userIndex.size());
    BehaviorMetrics labels = new BehaviorMetrics();
    for (Evaluator.Target t : targets) {
      double[] one = new double[BehaviorType.count()];
      one[t.actual().type().ordinal()] = 1;
      labels.add(one, t.actual().type(), t.actual().type());
    }
    List<BehaviorType> labelTypes = new ArrayList<>();
    for (BehaviorType t : BehaviorType.values()) if (labels.labelShare(t) > 0) labelTypes.add(t);
    // the recall of a user counts the categories of all its held-out events, as in Evaluator
    Map<String, Set<String>> laterCats = new HashMap<>();
    for (Evaluator.Target t : targets) {
      Set<String> s = laterCats.computeIfAbsent(t.userId(), k -> new HashSet<>());
      if (t.actual().categoryId() != null) s.add(t.actual().categoryId());
    }
    int users = userIndex.size();
    Acc s = new Acc(users);
    Acc o = new Acc(users);
    long scored = 0;
    for (int i = 0; i < targets.size(); i++) {
      if (served.get(i) == null) continue;
      scored++;
      s.add(targets.get(i), served.get(i), userOf[i], laterCats);
      o.add(targets.get(i), offline.get(i), userOf[i], laterCats);
    }
    Bootstrap bootstrap = new Bootstrap(users, options);
    Map<String, double[]> sRep = s.tally.replicates(bootstrap, labelTypes);
    Map<String, double[]> oRep = o.tally.replicates(bootstrap, labelTypes);
    EvaluationReport.Row servedRow = s.row(servedTitle, labelTypes, sRep);
    EvaluationReport.Row offlineRow = o.row(offlineTitle, labelTypes, oRep);
    List<EvaluationReport.Difference> diffs = new ArrayList<>();
    if (bootstrap.resamples() > 0 && scored > 0) {
      Map<String, Double> sPoint = s.tally.metrics(ones(users), labelTypes);
      Map<String, Double> oPoint = o.tally.metrics(ones(users), labelTypes);
      for (String metric : sRep.keySet()) {
        double[] a = sRep.get(metric);
        double[] b = oRep.get(metric);
        double[] d = new double[a.length];
        for (int r = 0; r < a.length; r++) d[r] = a[r] - b[r];
        diffs.add(new EvaluationReport.Difference(metric, "model", sPoint.get(metric), oPoint.get(metric),
            sPoint.get(metric) - oPoint.get(metric), Bootstrap.percentile(d, 0.95)));
      }
    }
    return new ServedComparison(servedRow, offlineRow, diffs, targets.size(), scored);
  }

  private static int[] ones(int n) {
    int[] w = new int[n];
    java.util.Arrays.fill(w, 1);
    return w;
  }

  /** One predictor's accumulators over the scored events. */
  private static final class Acc {
    final UserTally tally;
    final BehaviorMetrics behavior = new BehaviorMetrics();
    final CategoryMetrics category = new CategoryMetrics();
    final ReliabilityCurve reliability = new ReliabilityCurve();

    Acc(int users) {
      tally = new UserTally(users, true, true);
    }

    void add(Evaluator.Target t, BatchScorer.Scored p, int user, Map<String, Set<String>> laterCats) {
      BehaviorType actual = t.actual().type();
      behavior.add(p.typeProbabilities(), p.decision(), actual);
      tally.behavior(user).add(p.typeProbabilities(), p.decision(), actual);
      reliability.add(p.typeProbabilities(), actual);
      List<String> top = p.topCategories();
      top = top.subList(0, Math.min(Evaluator.TOP_K, top.size()));
      category.addEvent(top, t.actual().categoryId());
      tally.category(user).addEvent(top, t.actual().categoryId());
      if (t.firstOfUser()) {
        category.addUser(top, laterCats.get(t.userId()));
        tally.category(user).addUser(top, laterCats.get(t.userId()));
      }
    }

    EvaluationReport.Row row(String title, List<BehaviorType> types, Map<String, double[]> replicates) {
      Map<BehaviorType, Double> f1 = new LinkedHashMap<>();
      for (BehaviorType t : types) f1.put(t, behavior.count() == 0 ? Double.NaN : behavior.f1(t));
      Map<String, Bootstrap.Interval> ci = new LinkedHashMap<>();
      replicates.forEach((k, v) -> ci.put(k, Bootstrap.percentile(v, 0.95)));
      MetricRow m = new MetricRow(behavior.accuracy(), behavior.macroF1(), behavior.logLoss(), category.hitRate(), category.userRecall());
      return new EvaluationReport.Row(title, m, EvaluationReport.Kind.MODEL, f1, ci, reliability.bins());
    }
  }

  public double coverage() {
    return predictedEvents == 0 ? Double.NaN : (double) scoredEvents / predictedEvents;
  }

  /**
   * Side by side: the offline model on every held-out event (from {@code report}), on the served
   * events only, and served, with the paired difference.
   */
  public String toTable(EvaluationReport report) {
    StringBuilder sb = new StringBuilder();
    MetricRow all = report.metrics("model");
    boolean partial = scoredEvents < predictedEvents;
    sb.append(String.format(Locale.ROOT, "%n| %-12s | %-24s |%s %-24s | %-30s |%n", "served", "offline (all events)",
        partial ? String.format(Locale.ROOT, " %-24s |", "offline (served events)") : "", "served", "served - offline [95% CI]"));
    sb.append("|--------------|-------------------------:|").append(partial ? "-------------------------:|" : "")
        .append("-------------------------:|--------------------------------|\n");
    for (String metric : List.of(UserTally.ACCURACY, UserTally.MACRO_F1, UserTally.LOG_LOSS, UserTally.HIT_RATE, UserTally.RECALL)) {
      EvaluationReport.Difference d = differences.stream().filter(x -> x.metric().equals(metric)).findFirst().orElse(null);
      sb.append(String.format(Locale.ROOT, "| %-12s | %24s |%s %24s | %-30s |%n", EvaluationReport.label(metric),
          cell(value(all, metric), report.rows().get("model").ci95().get(metric)),
          partial ? String.format(Locale.ROOT, " %24s |", cell(value(offline.metrics(), metric), offline.ci95().get(metric))) : "",
          cell(value(served.metrics(), metric), served.ci95().get(metric)),
          d == null ? "-" : String.format(Locale.ROOT, "%+.4f [%+.4f, %+.4f]%s", d.difference(), d.ci95().lo(), d.ci95().hi(),
              d.ci95().excludesZero() ? "" : " ~0")));
    }
    sb.append("(~0: the interval contains 0: the gap is within noise)\n");
    return sb.toString();
  }

  private static Double value(MetricRow m, String metric) {
    return switch (metric) {
      case UserTally.ACCURACY -> m.accuracy();
      case UserTally.MACRO_F1 -> m.macroF1();
      case UserTally.LOG_LOSS -> m.logLoss();
      case UserTally.HIT_RATE -> m.categoryHitRateAt10();
      case UserTally.RECALL -> m.categoryRecallAt10();
      default -> null;
    };
  }

  private static String cell(Double v, Bootstrap.Interval i) {
    if (v == null || v.isNaN()) return "-";
    if (i == null || Double.isNaN(i.lo())) return String.format(Locale.ROOT, "%.4f", v);
    return String.format(Locale.ROOT, "%.4f [%.4f, %.4f]", v, i.lo(), i.hi());
  }

  /**
   * The {@code served} entry of {@code evaluate --json}: the model entry's metric keys
   * ({@code accuracy}, ..., {@code f1PerType}, {@code ci95}, {@code reliability}) for the served
   * predictions, plus {@code predictedEvents}, {@code scoredEvents}, {@code coverage},
   * {@code offlineOnScoredEvents} (the model's metrics on the same events) and {@code vsModel}
   * (per metric: {@code model}, {@code served}, {@code difference}, {@code ci95}).
   */
  public ObjectNode toJson(ObjectMapper json) {
    ObjectNode n = rowJson(json, served);
    n.put("predictedEvents", predictedEvents);
    n.put("scoredEvents", scoredEvents);
    num(n, "coverage", coverage());
    n.set("offlineOnScoredEvents", rowJson(json, offline));
    ObjectNode vs = n.putObject("vsModel");
    for (EvaluationReport.Difference d : differences) {
      ObjectNode dn = vs.putObject(d.metric().startsWith("f1:") ? "f1." + d.metric().substring(3) : d.metric());
      num(dn, "model", d.baseline());
      num(dn, "served", d.model());
      num(dn, "difference", d.difference());
      ObjectNode ci = dn.putObject("ci95");
      num(ci, "lo", d.ci95().lo());
      num(ci, "hi", d.ci95().hi());
    }
    return n;
  }

  private static ObjectNode rowJson(ObjectMapper json, EvaluationReport.Row r) {
    MetricRow m = r.metrics();
    ObjectNode n = json.createObjectNode();
    num(n, "accuracy", m.accuracy());
    num(n, "macroF1", m.macroF1());
    num(n, "logLoss", m.logLoss());
    num(n, "categoryHitRateAt10", m.categoryHitRateAt10());
    num(n, "categoryRecallAt10", m.categoryRecallAt10());
    n.put("title", r.title());
    ObjectNode f1 = n.putObject("f1PerType");
    r.f1PerType().forEach((t, v) -> num(f1, t.wire(), v));
    ObjectNode ci = n.putObject("ci95");
    r.ci95().forEach((mk, i) -> {
      ObjectNode target = mk.startsWith("f1:")
          ? (ci.has("f1PerType") ? (ObjectNode) ci.get("f1PerType") : ci.putObject("f1PerType")).putObject(mk.substring(3))
          : ci.putObject(mk);
      num(target, "lo", i.lo());
      num(target, "hi", i.hi());
    });
    ArrayNode rel = n.putArray("reliability");
    for (ReliabilityCurve.Bin b : r.reliability())
      rel.addObject().put("meanPredicted", b.meanPredicted()).put("observed", b.observedFrequency()).put("count", b.count());
    return n;
  }

  private static void num(ObjectNode n, String key, Double v) {
    if (v == null || Double.isNaN(v) || Double.isInfinite(v)) n.putNull(key);
    else n.put(key, v);
  }
}
