package dev.profileengine.bench.charts;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The charts of {@code BENCHMARKS.md}, each built from one results CSV: which metrics, which runs
 * (the latest that have every metric the chart needs, so a rerun appended by a script shows up)
 * and which targets. The figures themselves come only from the CSVs.
 */
public final class ReportCharts {
  /** Runs shown side by side at most: older runs stay in the CSV, off the chart. */
  static final int MAX_RUNS = 6;

  private static final Pattern POOL_LATENCY = Pattern.compile("added_(p\\d+)_ms_at_(\\d+)pct");

  private ReportCharts() {}

  /** A metric of a results CSV and how the chart names it. */
  record Metric(String name, String label) {}

  /** Chart file name to chart, in report order. */
  public static Map<String, Chart> build(Map<String, Results> results) {
    Map<String, Chart> charts = new LinkedHashMap<>();
    Results ingest = need(results, "ingest-warm");
    charts.put("ingest-rounds.svg", runsByMetric(ingest, "Durable ingest into one node (H2): replay events/s by round", "replay rate",
        List.of(new Metric("cold_events_per_s", "cold JVM, new users"), new Metric("warm_events_per_s", "warm JVM, new users"),
            new Metric("live_events_per_s", "warm JVM, live profiles")),
        run -> run, runs -> List.of(Target.line("target >= 50,000 events/s", 50_000)),
        "The sample (110,294 events) replayed three times, predictions off. Session 10's machine ran the same replay at about half of session 9's rate."));
    charts.put("ingest-ack.svg", runsByMetric(ingest, "Ingest acknowledgement latency, warm node, live profiles", "acknowledgement latency",
        List.of(new Metric("ack_p50_ms", "p50"), new Metric("ack_p95_ms", "p95"), new Metric("ack_p99_ms", "p99")),
        run -> run + "\n" + NumberText.of(ingest.require(run, "paced_events_per_s")) + " events/s",
        runs -> List.of(Target.line("target p99 <= 25 ms", 25)),
        "Gatling IngestSimulation, open model, batches of 100, at the rate under each run (half of the live round's rate, or RATE=26)."));

    Results reads = need(results, "read-latency");
    charts.put("read-rate.svg", runsByMetric(reads, "Profile reads, saturated: GET /v1/profiles/{id}", "read rate",
        List.of(new Metric("saturated_req_per_s", "requests/s")), run -> run,
        runs -> List.of(Target.line("target >= 20,000 req/s", 20_000)),
        "wrk, 16 keep-alive connections, 20 s, warm node holding the sample's 66,450 profiles, predictions off."));
    charts.put("read-latency.svg", metricsOfLatestRun(reads, "Read latency paced at half of the saturated rate", "latency",
        List.of(new Metric("paced_p50_ms", "profile read p50"), new Metric("paced_p90_ms", "profile read p90"),
            new Metric("paced_p99_ms", "profile read p99"), new Metric("health_p99_ms", "GET /health p99 (no profile)")),
        List.of(Target.line("target p99 <= 2 ms", 2)),
        run -> "Run '" + run + "': " + NumberText.of(reads.require(run, "paced_req_per_s"))
            + " req/s, each connection waiting 2 ms between requests; GET /health paced alike is the HTTP server's floor."));

    Results pool = need(results, "pool-latency");
    charts.put("pool-throughput.svg", runsByMetric(pool, "Inference pool throughput: batch 1 vs the pool", "throughput",
        List.of(new Metric("batch1_per_s", "batch 1 (worker called directly)"), new Metric("pool_max_per_s", "pool max (closed loop of 256)")),
        run -> run + "\n" + String.format(Locale.ROOT, "%.1fx", pool.require(run, "pool_max_per_s") / pool.require(run, "batch1_per_s")),
        runs -> {
          List<Target> targets = new ArrayList<>();
          for (int g = 0; g < runs.size(); g++) {
            targets.add(Target.forGroup("20x batch 1", 20 * pool.require(runs.get(g), "batch1_per_s"), g));
          }
          return targets;
        },
        "Model nb-gru-v1 on real users' last 50 behaviors. Groups: maxBatch / batch delay / workers x PyTorch threads. Target: the pool >= 20x its own batch-1 run."));
    charts.put("pool-latency.svg", poolLatency(pool));

    Results heap = need(results, "heap-per-profile");
    charts.put("heap.svg", runsByMetric(heap, "Heap per active profile", "heap per profile",
        List.of(new Metric("bytes_per_profile", "bytes per active profile")),
        run -> run + "\n" + NumberText.of(heap.require(run, "active_profiles")) + " profiles",
        runs -> List.of(Target.line("target <= 2 KB", 2_048)),
        "Heap used after full GCs, after minus before the replay, over profile_active_entities (copies of the sample, user ids shifted)."));

    Results scale = need(results, "scale-out");
    charts.put("scale-out.svg", runsByMetric(scale, "Scale-out on PostgreSQL: 1 node vs 3, each capped at 0.4 core (cgroup)", "stored events",
        List.of(new Metric("events_per_s_1_of_3n_0.4c", "1 node"), new Metric("events_per_s_3_of_3n_0.4c", "3 nodes")),
        run -> run + "\n" + NumberText.of(scale.require(run, "ratio_3n_0.4c")) + "x",
        runs -> List.of(),
        "30,000 rows of the sample after a warm-up of 10,000 other users' rows per node, users routed to the node hosting their shard,"
            + " PostgreSQL capped at 0.5 core; fresh clusters, runs back to back."));

    Results h2 = need(results, "h2-journal-insert");
    charts.put("h2-index.svg", runsByMetric(h2, "H2 alone: the journal's rows/s in 335-row commits", "insert rate",
        List.of(new Metric("rows_per_s_pid_index", "with the (persistence_id, sequence_number) index"),
            new Metric("rows_per_s_no_pid_index", "without it (its cost; not a usable journal)")),
        run -> run, runs -> List.of(Target.line("ingest target 50,000 events/s", 50_000)),
        "H2JournalInsertBenchmark (JMH, 5 x 10 s): payload bytes / in-row LOB limit. The index's random leaf per row is H2's ingest ceiling."));
    charts.put("h2-sync.svg", runsByMetric(h2, "H2 alone: fsync per commit (PROFILE_H2_SYNC)", "insert rate",
        List.of(new Metric("rows_per_s", "rows/s")),
        run -> h2.value(run, "rows_per_s_error").isPresent()
            ? run + "\n± " + NumberText.of(h2.require(run, "rows_per_s_error")) + " (99.9%)" : run,
        runs -> List.of(),
        "One pair, 3 x 5 s each, on a machine saturated by other builds: the ratio of the two" + syncRatio(h2)
            + " is the figure to keep, not the rates."));

    Results peer = need(results, "engine-vs-redis");
    charts.put("engine-vs-redis.svg", runsByMetric(peer, "Fresh node vs a Redis counter store, same file: engine / Redis", "engine events/s over Redis events/s",
        List.of(new Metric("ratio_on", "predictions on (default)"), new Metric("ratio_off", "predictions off")),
        run -> run + "\n" + NumberText.of(peer.require(run, "engine_on_events_per_s")) + " vs " + NumberText.of(peer.require(run, "redis_events_per_s")) + " events/s",
        runs -> List.of(Target.line("target >= 0.25", 0.25)),
        "The sample replayed into a fresh node (defaults, H2) with the replay command, then into Redis 7 (AOF fsync always, SADD + HINCRBY per event, redis-cli --pipe); back to back."));

    Results unknown = need(results, "reads-unknown");
    charts.put("reads-after-ingest.svg", runsByMetric(unknown, "Reads right after a replay: existing ids and never-written ids (404)", "read rate",
        List.of(new Metric("existing_req_per_s", "existing profiles"), new Metric("unknown_req_per_s", "never-written ids (404)")),
        run -> run + "\n" + NumberText.of(unknown.require(run, "unknown_cpu_us_per_request")) + " µs CPU per 404",
        runs -> List.of(Target.line("existing >= 20,000 req/s", 20_000), Target.line("404 >= 10,000 req/s", 10_000)),
        "wrk, 8 connections, 20 s each after a warm-up, on a fresh node (defaults, H2) right after the sample's replay; builds back to back on a loaded machine."));

    Results lag = need(results, "change-lag");
    charts.put("change-lag.svg", runsByMetric(lag, "Change-notification lag from the acknowledgement", "lag",
        List.of(new Metric("ack_lag_p50_ms", "p50"), new Metric("ack_lag_p90_ms", "p90"), new Metric("ack_lag_p99_ms", "p99")),
        run -> run, runs -> List.of(Target.line("target p99 <= 100 ms at half the saturated rate", 100)),
        "ChangeLagProbe: one event every 50 ms for its own user, timed to its arrival on GET /v1/changes, beside a replay of the sample (saturating, or paced at RATE events/s)."));
    return charts;
  }

  /** " (commit / os = 0.70)" from the latest pair of sync runs, or nothing if there is no pair. */
  private static String syncRatio(Results h2) {
    var commit = h2.value("sync=commit", "rows_per_s");
    var os = h2.value("sync=os", "rows_per_s");
    if (commit.isEmpty() || os.isEmpty()) return "";
    return String.format(Locale.ROOT, " (commit / os = %.2f)", commit.getAsDouble() / os.getAsDouble());
  }

  private static Results need(Map<String, Results> results, String name) {
    Results r = results.get(name);
    if (r == null) throw new IllegalArgumentException("no results file " + name + ".csv (have: " + String.join(", ", results.keySet()) + ")");
    return r;
  }

  /** One group per run (the latest {@link #MAX_RUNS} with every metric), one bar per metric. */
  static BarChart runsByMetric(Results results, String title, String axis, List<Metric> metrics, Function<String, String> groupLabel,
      Function<List<String>, List<Target>> targets, String note) {
    List<String> runs = runsWithAll(results, metrics, MAX_RUNS, title);
    double[][] values = new double[runs.size()][metrics.size()];
    for (int g = 0; g < runs.size(); g++) {
      for (int s = 0; s < metrics.size(); s++) values[g][s] = results.require(runs.get(g), metrics.get(s).name());
    }
    return new BarChart(title, axis + " (" + unit(results, metrics, title) + ")", runs.stream().map(groupLabel).toList(),
        metrics.stream().map(Metric::label).toList(), values, targets.apply(runs), note + " " + results.source(runs));
  }

  /** One bar per metric, of the latest run that has them all. */
  static BarChart metricsOfLatestRun(Results results, String title, String axis, List<Metric> metrics, List<Target> targets,
      Function<String, String> note) {
    String run = runsWithAll(results, metrics, 1, title).get(0);
    double[][] values = new double[metrics.size()][1];
    for (int g = 0; g < metrics.size(); g++) values[g][0] = results.require(run, metrics.get(g).name());
    return new BarChart(title, axis + " (" + unit(results, metrics, title) + ")", metrics.stream().map(Metric::label).toList(), List.of(run), values,
        targets, note.apply(run) + " " + results.source(List.of(run)));
  }

  /**
   * The pool's added latency against the offered rate, one line per percentile, from the latest run
   * with open-loop figures ({@code offered_per_s_at_<N>pct}, {@code added_<pXX>_ms_at_<N>pct}).
   */
  static LineChart poolLatency(Results pool) {
    String title = "Inference pool: added latency vs offered rate (open loop)";
    String run = null;
    Map<String, List<LineChart.Point>> byPercentile = Map.of();
    for (String r : pool.runs()) {
      Map<String, List<LineChart.Point>> points = latencyPoints(pool, r);
      if (points.containsKey("p50") && points.containsKey("p99")) {
        run = r;
        byPercentile = points;
      }
    }
    if (run == null) {
      throw new IllegalArgumentException(title + ": no run in " + pool.file()
          + " has offered_per_s_at_<N>pct with added_p50_ms_at_<N>pct and added_p99_ms_at_<N>pct");
    }
    List<LineChart.Series> series = List.of(new LineChart.Series("p50", byPercentile.get("p50")), new LineChart.Series("p99", byPercentile.get("p99")));
    return new LineChart(title, "offered predictions/s", "added latency (ms)", series, List.of(Target.line("target p99 <= 10 ms at half of max", 10)),
        "Run '" + run + "': pool max " + NumberText.of(pool.require(run, "pool_max_per_s"))
            + " predictions/s; arrivals at fixed intervals, latency from predict() to the completion of its stage. " + pool.source(List.of(run)));
  }

  /** Percentile to (offered rate, added latency) points of one run: the fractions with both figures. */
  private static Map<String, List<LineChart.Point>> latencyPoints(Results pool, String run) {
    Map<String, Map<Double, LineChart.Point>> byPercentile = new TreeMap<>();
    for (ResultRow row : pool.rows()) {
      Matcher m = POOL_LATENCY.matcher(row.metric());
      if (!row.run().equals(run) || !m.matches()) continue;
      OptionalDouble offered = pool.value(run, "offered_per_s_at_" + m.group(2) + "pct");
      if (offered.isEmpty()) continue;
      // keyed by rate: a metric written twice in one run counts once, with its last value
      byPercentile.computeIfAbsent(m.group(1), p -> new TreeMap<>())
          .put(offered.getAsDouble(), new LineChart.Point(offered.getAsDouble(), pool.require(run, row.metric())));
    }
    Map<String, List<LineChart.Point>> out = new TreeMap<>();
    byPercentile.forEach((p, points) -> out.put(p, List.copyOf(points.values())));
    return out;
  }

  private static List<String> runsWithAll(Results results, List<Metric> metrics, int max, String title) {
    List<String> names = metrics.stream().map(Metric::name).toList();
    List<String> runs = results.latestRunsWithAll(names, max);
    if (runs.isEmpty()) {
      throw new IllegalArgumentException(title + ": no run in " + results.file() + " has all of " + String.join(", ", names));
    }
    return runs;
  }

  private static String unit(Results results, List<Metric> metrics, String title) {
    String unit = results.unit(metrics.get(0).name());
    for (Metric m : metrics) {
      if (!results.unit(m.name()).equals(unit)) {
        throw new IllegalArgumentException(title + ": " + m.name() + " is in " + results.unit(m.name()) + ", " + metrics.get(0).name() + " in " + unit);
      }
    }
    return unit;
  }
}
