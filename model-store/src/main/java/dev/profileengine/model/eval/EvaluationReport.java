package dev.profileengine.model.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.profileengine.model.registry.MetricRow;
import dev.profileengine.profile.BehaviorType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Result of one evaluation run: one row per predictor (the model first, when evaluated), each
 * with bootstrap intervals over users, and the paired differences model - best baseline.
 *
 * @param rows key -> row, in display order
 * @param differences per metric, the model minus the best baseline row (raw or tuned) on the same resamples
 * @param bootstrap resamples and seed of the intervals
 */
public record EvaluationReport(String dataFile, String dataSha256, int users, long predictedEvents,
    Map<BehaviorType, Double> labelShares, Map<String, Row> rows, List<Difference> differences, Bootstrap.Options bootstrap) {

  /** What a row is: only baselines (raw or tuned) take part in "best baseline". */
  public enum Kind { MODEL, BASELINE, TUNED_BASELINE, RECOMMENDER }

  /**
   * @param f1PerType F1 of each type that occurs among the held-out labels (empty for a category row)
   * @param ci95 metric key ({@link UserTally}) -> 95% bootstrap interval
   * @param reliability calibration curve of the type probabilities (empty for a category row)
   */
  public record Row(String title, MetricRow metrics, Kind kind, Map<BehaviorType, Double> f1PerType,
      Map<String, Bootstrap.Interval> ci95, List<ReliabilityCurve.Bin> reliability) {
    public Row {
      f1PerType = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(f1PerType));
      ci95 = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(ci95));
      reliability = List.copyOf(reliability);
    }

    public Row(String title, MetricRow metrics) {
      this(title, metrics, Kind.BASELINE, Map.of(), Map.of(), List.of());
    }

    public boolean isBaseline() {
      return kind == Kind.BASELINE || kind == Kind.TUNED_BASELINE;
    }
  }

  /** Model minus the best baseline row on one metric (the best by point estimate), with its paired interval. */
  public record Difference(String metric, String baselineKey, double model, double baseline, double difference,
      Bootstrap.Interval ci95) {}

  public EvaluationReport {
    rows = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(rows));
    differences = List.copyOf(differences);
  }

  public EvaluationReport(String dataFile, String dataSha256, int users, long predictedEvents,
      Map<BehaviorType, Double> labelShares, Map<String, Row> rows) {
    this(dataFile, dataSha256, users, predictedEvents, labelShares, rows, List.of(), new Bootstrap.Options(0, Bootstrap.DEFAULT_SEED));
  }

  public MetricRow metrics(String key) {
    Row r = rows.get(key);
    return r == null ? null : r.metrics();
  }

  /** Best value of a behavior metric over the baselines, raw and tuned (lowest for log-loss). */
  public double bestBaseline(java.util.function.Function<MetricRow, Double> metric, boolean lowerIsBetter) {
    return bestBaseline(metric, lowerIsBetter, true);
  }

  /** Best value of a metric over the baseline rows, with or without the tuned ones. */
  public double bestBaseline(java.util.function.Function<MetricRow, Double> metric, boolean lowerIsBetter, boolean withTuned) {
    double best = lowerIsBetter ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    for (Map.Entry<String, Row> e : rows.entrySet()) {
      Row r = e.getValue();
      if (e.getKey().equals("model") || r.kind() == Kind.RECOMMENDER || (!withTuned && r.kind() == Kind.TUNED_BASELINE)) continue;
      Double v = metric.apply(r.metrics());
      if (v == null || v.isNaN()) continue;
      best = lowerIsBetter ? Math.min(best, v) : Math.max(best, v);
    }
    return best;
  }

  public Difference difference(String metric) {
    return differences.stream().filter(d -> d.metric().equals(metric)).findFirst().orElse(null);
  }

  public String toTable() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "data: %s (sha256 %s)%n", dataFile, dataSha256 == null ? "-" : dataSha256.substring(0, 12)));
    StringBuilder mix = new StringBuilder();
    labelShares.forEach((t, s) -> { if (s > 0) mix.append(String.format(Locale.ROOT, " %s %.1f%%", t.wire(), 100 * s)); });
    sb.append(String.format(Locale.ROOT, "users: %d, predicted events: %d (%s)%n", users, predictedEvents, mix.toString().strip()));
    boolean ci = bootstrap.resamples() > 0;
    if (ci) sb.append(String.format(Locale.ROOT, "[lo, hi]: 95%% percentile bootstrap over users (%d resamples, seed %d)%n",
        bootstrap.resamples(), bootstrap.seed()));
    sb.append('\n');
    int w = ci ? 24 : 10;
    String cell = "%" + w + "s";
    sb.append(String.format(Locale.ROOT, "| %-56s | " + cell + " | " + cell + " | " + cell + " | " + cell + " | " + cell + " |%n",
        "predictor", "accuracy", "macro-F1", "log-loss", "cat Hit@10", "cat Rec@10"));
    sb.append("|").append("-".repeat(58)).append(("|" + "-".repeat(w + 1) + ":").repeat(5)).append("|\n");
    rows.forEach((k, r) -> {
      MetricRow m = r.metrics();
      sb.append(String.format(Locale.ROOT, "| %-56s | " + cell + " | " + cell + " | " + cell + " | " + cell + " | " + cell + " |%n",
          r.title(), f(m.accuracy(), r, UserTally.ACCURACY), f(m.macroF1(), r, UserTally.MACRO_F1), f(m.logLoss(), r, UserTally.LOG_LOSS),
          f(m.categoryHitRateAt10(), r, UserTally.HIT_RATE), f(m.categoryRecallAt10(), r, UserTally.RECALL)));
    });
    List<BehaviorType> types = labelShares.entrySet().stream().filter(e -> e.getValue() > 0).map(Map.Entry::getKey).toList();
    if (rows.values().stream().anyMatch(r -> !r.f1PerType().isEmpty())) {
      sb.append(String.format(Locale.ROOT, "%n| %-56s |", "F1 per type"));
      for (BehaviorType t : types) sb.append(String.format(Locale.ROOT, " " + cell + " |", t.wire()));
      sb.append("\n|").append("-".repeat(58)).append(("|" + "-".repeat(w + 1) + ":").repeat(types.size())).append("|\n");
      rows.forEach((k, r) -> {
        if (r.f1PerType().isEmpty()) return;
        sb.append(String.format(Locale.ROOT, "| %-56s |", r.title()));
        for (BehaviorType t : types) sb.append(String.format(Locale.ROOT, " " + cell + " |", f(r.f1PerType().get(t), r, UserTally.f1Key(t))));
        sb.append('\n');
      });
    }
    if (!differences.isEmpty()) {
      sb.append(String.format(Locale.ROOT, "%n| %-14s | %-56s | %8s | %8s | %-30s |%n", "model - best", "best baseline (raw or tuned)",
          "model", "baseline", "difference [95% CI]"));
      sb.append("|----------------|").append("-".repeat(58)).append("|---------:|---------:|--------------------------------|\n");
      for (Difference d : differences) {
        Row b = rows.get(d.baselineKey());
        sb.append(String.format(Locale.ROOT, "| %-14s | %-56s | %8.4f | %8.4f | %-30s |%n", label(d.metric()), b == null ? d.baselineKey() : b.title(),
            d.model(), d.baseline(), String.format(Locale.ROOT, "%+.4f [%+.4f, %+.4f]%s", d.difference(), d.ci95().lo(), d.ci95().hi(),
                d.ci95().excludesZero() ? "" : " ~0")));
      }
      sb.append("(~0: the interval contains 0)\n");
    }
    return sb.toString();
  }

  /** Table label of a metric key. */
  public static String label(String metric) {
    return switch (metric) {
      case UserTally.ACCURACY -> "accuracy";
      case UserTally.MACRO_F1 -> "macro-F1";
      case UserTally.LOG_LOSS -> "log-loss";
      case UserTally.HIT_RATE -> "cat Hit@10";
      case UserTally.RECALL -> "cat Rec@10";
      default -> metric.startsWith("f1:") ? "F1 " + metric.substring(3) : metric;
    };
  }

  private static String f(Double v, Row r, String key) {
    if (v == null) return "-";
    Bootstrap.Interval i = r.ci95().get(key);
    if (i == null || Double.isNaN(i.lo())) return String.format(Locale.ROOT, "%.4f", v);
    return String.format(Locale.ROOT, "%.4f [%.4f, %.4f]", v, i.lo(), i.hi());
  }

  /**
   * One JSON object: a {@code model} entry (if evaluated) and one entry per baseline. Each entry
   * has the metrics of {@link MetricRow} plus {@code ci95} (metric -> {lo, hi}; per-type F1 under
   * {@code f1PerType}), {@code f1PerType} and, for type predictors, {@code reliability}; the model
   * entry also {@code vsBestBaseline} (metric -> baseline, difference, ci95) and {@code bootstrap}.
   */
  public ObjectNode toJson(ObjectMapper json, Map<String, Object> modelExtras) {
    ObjectNode root = json.createObjectNode();
    rows.forEach((k, r) -> {
      ObjectNode n = json.valueToTree(r.metrics());
      n.put("title", r.title());
      if (k.equals("model")) {
        modelExtras.forEach((ek, ev) -> n.set(ek, json.valueToTree(ev)));
        n.put("data", dataFile);
        n.put("dataSha256", dataSha256);
        n.put("users", users);
        n.put("predictedEvents", predictedEvents);
      }
      if (r.kind() == Kind.TUNED_BASELINE) n.put("tunedOnValidation", true);
      if (!r.f1PerType().isEmpty()) {
        ObjectNode f1 = n.putObject("f1PerType");
        r.f1PerType().forEach((t, v) -> f1.put(t.wire(), v));
      }
      if (!r.ci95().isEmpty()) {
        ObjectNode ci = n.putObject("ci95");
        r.ci95().forEach((mk, i) -> {
          if (mk.startsWith("f1:")) {
            ObjectNode perType = ci.has("f1PerType") ? (ObjectNode) ci.get("f1PerType") : ci.putObject("f1PerType");
            interval(perType.putObject(mk.substring(3)), i);
          } else interval(ci.putObject(mk), i);
        });
      }
      if (!r.reliability().isEmpty()) {
        ArrayNode rel = n.putArray("reliability");
        for (ReliabilityCurve.Bin b : r.reliability())
          rel.addObject().put("meanPredicted", b.meanPredicted()).put("observed", b.observedFrequency()).put("count", b.count());
      }
      if (k.equals("model") && !differences.isEmpty()) {
        ObjectNode vs = n.putObject("vsBestBaseline");
        for (Difference d : differences) {
          ObjectNode dn = vs.putObject(d.metric().startsWith("f1:") ? "f1." + d.metric().substring(3) : d.metric());
          dn.put("baseline", d.baselineKey());
          num(dn, "baselineValue", d.baseline());
          num(dn, "difference", d.difference());
          interval(dn.putObject("ci95"), d.ci95());
        }
        n.putObject("bootstrap").put("resamples", bootstrap.resamples()).put("seed", bootstrap.seed());
      }
      root.set(k, n);
    });
    return root;
  }

  private static void interval(ObjectNode n, Bootstrap.Interval i) {
    num(n, "lo", i.lo());
    num(n, "hi", i.hi());
  }

  private static void num(ObjectNode n, String key, double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) n.putNull(key);
    else n.put(key, v);
  }
}
