package dev.profileengine.model.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.profileengine.model.registry.MetricRow;
import dev.profileengine.profile.BehaviorType;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Result of one evaluation run: one row per predictor (the model first, when evaluated).
 *
 * @param rows key -> row, in display order
 */
public record EvaluationReport(String dataFile, String dataSha256, int users, long predictedEvents,
    Map<BehaviorType, Double> labelShares, Map<String, Row> rows) {

  public record Row(String title, MetricRow metrics) {}

  public EvaluationReport {
    rows = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(rows));
  }

  public MetricRow metrics(String key) {
    Row r = rows.get(key);
    return r == null ? null : r.metrics();
  }

  /** Best value of a behavior metric over the baselines (lowest for log-loss). */
  public double bestBaseline(java.util.function.Function<MetricRow, Double> metric, boolean lowerIsBetter) {
    double best = lowerIsBetter ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    for (Map.Entry<String, Row> e : rows.entrySet()) {
      if (e.getKey().equals("model")) continue;
      Double v = metric.apply(e.getValue().metrics());
      if (v == null || v.isNaN()) continue;
      best = lowerIsBetter ? Math.min(best, v) : Math.max(best, v);
    }
    return best;
  }

  public String toTable() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "data: %s (sha256 %s)%n", dataFile, dataSha256 == null ? "-" : dataSha256.substring(0, 12)));
    StringBuilder mix = new StringBuilder();
    labelShares.forEach((t, s) -> { if (s > 0) mix.append(String.format(Locale.ROOT, " %s %.1f%%", t.wire(), 100 * s)); });
    sb.append(String.format(Locale.ROOT, "users: %d, predicted events: %d (%s)%n%n", users, predictedEvents, mix.toString().strip()));
    sb.append(String.format(Locale.ROOT, "| %-52s | %8s | %8s | %8s | %8s | %9s |%n", "predictor", "accuracy", "macro-F1", "log-loss", "cat Hit@10", "cat Rec@10"));
    sb.append("|").append("-".repeat(54)).append("|---------:|---------:|---------:|-----------:|----------:|\n");
    rows.forEach((k, r) -> {
      MetricRow m = r.metrics();
      sb.append(String.format(Locale.ROOT, "| %-52s | %8s | %8s | %8s | %10s | %9s |%n", r.title(), f(m.accuracy()), f(m.macroF1()),
          f(m.logLoss()), f(m.categoryHitRateAt10()), f(m.categoryRecallAt10())));
    });
    return sb.toString();
  }

  private static String f(Double v) {
    return v == null ? "-" : String.format(Locale.ROOT, "%.4f", v);
  }

  /** One JSON object: a {@code model} entry (if evaluated) and one entry per baseline. */
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
      root.set(k, n);
    });
    return root;
  }
}
