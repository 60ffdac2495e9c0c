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
 * of users as {@link Evaluator}: the served row, the offline references (the model as
 * {@code evaluate} runs it, and on the engine's window of recent behaviors) on exactly the events
 * that have a served prediction, and the paired differences served - reference with intervals.
 *
 * @param served the served predictions' metrics over the events that have one
 * @param references key -> the reference's metrics over the same events
 * @param labels key -> the reference's short name
 * @param differences key -> per metric: served - that reference, paired over the same resamples
 * @param predictedEvents held-out events
 * @param scoredEvents those with a served prediction
 */
public record ServedComparison(EvaluationReport.Row served, Map<String, EvaluationReport.Row> references, Map<String, String> labels,
    Map<String, List<EvaluationReport.Difference>> differences, long predictedEvents, long scoredEvents) {

  /** The model as {@code evaluate} runs it: the key of that reference. */
  public static final String MODEL = "model";

  /** An offline predictor's output for every target, in target order; {@code label} names it in "served - label". */
  public record Reference(String title, String label, List<BatchScorer.Scored> scored) {}

  public ServedComparison {
    references = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(references));
    labels = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    differences = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(differences));
  }

  /**
   * @param targets every held-out event, as {@link Evaluator#heldOutTargets} lists them
   * @param served the node's prediction for each target, null where it has none
   * @param references key -> an offline predictor's output for each target ({@link #MODEL} first)
   */
  public static ServedComparison compare(List<Evaluator.Target> targets, List<BatchScorer.Scored> served, String servedTitle,
      Map<String, Reference> references, Bootstrap.Options options) {
    if (served.size() != targets.size()) throw new IllegalArgumentException("targets " + targets.size() + ", served " + served.size());
    references.forEach((k, r) -> {
      if (r.scored().size() != targets.size())
        throw new IllegalArgumentException("targets " + targets.size() + ", " + k + " " + r.scored().size());
    });
    Map<String, Integer> userIndex = new LinkedHashMap<>();
    int[] userOf = new int[targets.size()];
    for (int i = 0; i < targets.size(); i++) userOf[i] = userIndex.computeIfAbsent(targets.get(i).userId(), k -> userIndex.size());
    BehaviorMetrics truth = new BehaviorMetrics();
    for (Evaluator.Target t : targets) {
      double[] one = new double[BehaviorType.count()];
      one[t.actual().type().ordinal()] = 1;
      truth.add(one, t.actual().type(), t.actual().type());
    }
    List<BehaviorType> labelTypes = new ArrayList<>();
    for (BehaviorType t : BehaviorType.values()) if (truth.labelShare(t) > 0) labelTypes.add(t);
    // the recall of a user counts the categories of all its held-out events, as in Evaluator
    Map<String, Set<String>> laterCats = new HashMap<>();
    for (Evaluator.Target t : targets) {
      Set<String> s = laterCats.computeIfAbsent(t.userId(), k -> new HashSet<>());
      if (t.actual().categoryId() != null) s.add(t.actual().categoryId());
    }
    int users = userIndex.size();
    Acc s = new Acc(users);
    Map<String, Acc> refs = new LinkedHashMap<>();
    references.keySet().forEach(k -> refs.put(k, new Acc(users)));
    long scored = 0;
    for (int i = 0; i < targets.size(); i++) {
      if (served.get(i) == null) continue;
      scored++;
      s.add(targets.get(i), served.get(i), userOf[i], laterCats);
      for (Map.Entry<String, Acc> e : refs.entrySet()) e.getValue().add(targets.get(i), references.get(e.getKey()).scored().get(i), userOf[i], laterCats);
    }
    Bootstrap bootstrap = new Bootstrap(users, options);
    Map<String, double[]> sRep = s.tally.replicates(bootstrap, labelTypes);
    Map<String, Double> sPoint = s.tally.metrics(ones(users), labelTypes);
    Map<String, EvaluationReport.Row> rows = new LinkedHashMap<>();
    Map<String, List<EvaluationReport.Difference>> diffs = new LinkedHashMap<>();
    for (Map.Entry<String, Acc> e : refs.entrySet()) {
      Map<String, double[]> rRep = e.getValue().tally.replicates(bootstrap, labelTypes);
      rows.put(e.getKey(), e.getValue().row(references.get(e.getKey()).title(), labelTypes, rRep));
      List<EvaluationReport.Difference> d = new ArrayList<>();
      if (bootstrap.resamples() > 0 && scored > 0) {
        Map<String, Double> rPoint = e.getValue().tally.metrics(ones(users), labelTypes);
        for (String metric : sRep.keySet()) {
          double[] a = sRep.get(metric);
          double[] b = rRep.get(metric);
          double[] delta = new double[a.length];
          for (int r = 0; r < a.length; r++) delta[r] = a[r] - b[r];
          d.add(new EvaluationReport.Difference(metric, e.getKey(), sPoint.get(metric), rPoint.get(metric),
              sPoint.get(metric) - rPoint.get(metric), Bootstrap.percentile(delta, 0.95)));
        }
      }
      diffs.put(e.getKey(), d);
    }
    Map<String, String> names = new LinkedHashMap<>();
    references.forEach((k, r) -> names.put(k, r.label()));
    return new ServedComparison(s.row(servedTitle, labelTypes, sRep), rows, names, diffs, targets.size(), scored);
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

  private static final List<String> METRICS =
      List.of(UserTally.ACCURACY, UserTally.MACRO_F1, UserTally.LOG_LOSS, UserTally.HIT_RATE, UserTally.RECALL);

  /**
   * Side by side on the events with a served prediction: each offline reference, served, and
   * served minus each reference (paired); the offline model on every held-out event is {@code report}'s.
   */
  public String toTable() {
    StringBuilder sb = new StringBuilder();
    String cell = "%28s";
    sb.append(String.format(Locale.ROOT, "%n| %-66s |", String.format(Locale.ROOT, "on the %,d events served (of %,d held out)", scoredEvents,
        predictedEvents)));
    for (String m : METRICS) sb.append(String.format(Locale.ROOT, " " + cell + " |", EvaluationReport.label(m)));
    sb.append("\n|").append("-".repeat(68)).append(("|" + "-".repeat(29) + ":").repeat(METRICS.size())).append("|\n");
    references.values().forEach(r -> row(sb, r));
    row(sb, served);
    differences.forEach((k, ds) -> {
      if (ds.isEmpty()) return;
      sb.append(String.format(Locale.ROOT, "| %-66s |", "served - " + labels.get(k) + " (paired)"));
      for (String m : METRICS) {
        EvaluationReport.Difference d = ds.stream().filter(x -> x.metric().equals(m)).findFirst().orElse(null);
        sb.append(String.format(Locale.ROOT, " " + cell + " |", d == null ? "-"
            : String.format(Locale.ROOT, "%+.4f [%+.4f, %+.4f]%s", d.difference(), d.ci95().lo(), d.ci95().hi(), d.ci95().excludesZero() ? "  " : " ~")));
      }
      sb.append('\n');
    });
    sb.append("(~: the interval contains 0, the gap is within noise)\n");
    return sb.toString();
  }

  private static void row(StringBuilder sb, EvaluationReport.Row r) {
    sb.append(String.format(Locale.ROOT, "| %-66s |", r.title()));
    for (String m : METRICS) sb.append(String.format(Locale.ROOT, " %28s |", cell(value(r.metrics(), m), r.ci95().get(m)) + "  "));
    sb.append('\n');
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
   * predictions, plus {@code predictedEvents}, {@code scoredEvents}, {@code coverage} and
   * {@code references}: per offline reference ({@code model}: as the model entry, on the served
   * events; others named by the caller) its metrics on the served events and {@code servedMinus}
   * (per metric: {@code reference}, {@code served}, {@code difference}, {@code ci95}).
   */
  public ObjectNode toJson(ObjectMapper json) {
    ObjectNode n = rowJson(json, served);
    n.put("predictedEvents", predictedEvents);
    n.put("scoredEvents", scoredEvents);
    num(n, "coverage", coverage());
    ObjectNode refs = n.putObject("references");
    references.forEach((k, r) -> {
      ObjectNode rn = rowJson(json, r);
      ObjectNode vs = rn.putObject("servedMinus");
      for (EvaluationReport.Difference d : differences.get(k)) {
        ObjectNode dn = vs.putObject(d.metric().startsWith("f1:") ? "f1." + d.metric().substring(3) : d.metric());
        num(dn, "reference", d.baseline());
        num(dn, "served", d.model());
        num(dn, "difference", d.difference());
        ObjectNode ci = dn.putObject("ci95");
        num(ci, "lo", d.ci95().lo());
        num(ci, "hi", d.ci95().hi());
      }
      refs.set(k, rn);
    });
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
