package dev.profileengine.bench.charts;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeSet;

/** The rows of one results CSV, looked up by run and metric; the last row of a pair wins. */
public record Results(Path file, List<ResultRow> rows) {
  public Results {
    rows = List.copyOf(rows);
  }

  /** The file name without {@code .csv}: the benchmark's name. */
  public String name() {
    String f = file.getFileName().toString();
    return f.endsWith(".csv") ? f.substring(0, f.length() - 4) : f;
  }

  /** Run labels in the order of each run's last row, so a run appended by a rerun comes last. */
  public List<String> runs() {
    LinkedHashSet<String> order = new LinkedHashSet<>();
    for (ResultRow r : rows) {
      order.remove(r.run());
      order.add(r.run());
    }
    return List.copyOf(order);
  }

  /** The last {@code max} runs that have a value for every one of {@code metrics}. */
  public List<String> latestRunsWithAll(List<String> metrics, int max) {
    List<String> with = runs().stream().filter(run -> metrics.stream().allMatch(m -> value(run, m).isPresent())).toList();
    return with.subList(Math.max(0, with.size() - max), with.size());
  }

  public OptionalDouble value(String run, String metric) {
    OptionalDouble v = OptionalDouble.empty();
    for (ResultRow r : rows) {
      if (r.run().equals(run) && r.metric().equals(metric)) v = OptionalDouble.of(r.value());
    }
    return v;
  }

  public double require(String run, String metric) {
    return value(run, metric).orElseThrow(() -> new IllegalArgumentException(file + ": run '" + run + "' has no " + metric));
  }

  /** The unit written with {@code metric} (its last row). */
  public String unit(String metric) {
    String unit = null;
    for (ResultRow r : rows) {
      if (r.metric().equals(metric)) unit = r.unit();
    }
    if (unit == null) throw new IllegalArgumentException(file + ": no row of " + metric);
    return unit;
  }

  /** Where the figures of {@code runs} come from: file, dates and builds, for a chart's caption. */
  public String source(List<String> runs) {
    Set<String> dates = new TreeSet<>();
    Set<String> builds = new LinkedHashSet<>();
    Set<String> withBuild = new LinkedHashSet<>();
    for (ResultRow r : rows) {
      if (!runs.contains(r.run())) continue;
      if (!r.date().isEmpty()) dates.add(r.date());
      if (!r.build().isEmpty()) {
        builds.add(r.build());
        withBuild.add(r.run());
      }
    }
    List<String> parts = new ArrayList<>();
    parts.add("Source: load-tests/results/" + file.getFileName());
    parts.add(dates.isEmpty() ? "date not recorded" : String.join(", ", dates));
    long without = runs.stream().filter(run -> !withBuild.contains(run)).count();
    if (builds.isEmpty()) {
      parts.add("build not recorded");
    } else {
      parts.add((builds.size() == 1 ? "build " : "builds ") + String.join(", ", builds)
          + (without == 0 ? "" : " (not recorded for " + without + (without == 1 ? " run)" : " runs)")));
    }
    return String.join("; ", parts) + ".";
  }
}
