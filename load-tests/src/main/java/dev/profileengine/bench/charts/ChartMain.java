package dev.profileengine.bench.charts;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the report's charts as SVG files from the raw results:
 *
 * <pre>java -cp load-tests/target/benchmarks.jar dev.profileengine.bench.charts.ChartMain load-tests/results load-tests/charts</pre>
 *
 * Every CSV of the results directory is read (and so checked), even one no chart draws. Exit code 2
 * when a results file is malformed or lacks what a chart needs.
 */
public final class ChartMain {
  private ChartMain() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: ChartMain <results dir> <charts dir>");
      System.exit(2);
    }
    try {
      for (String line : write(Path.of(args[0]), Path.of(args[1]))) System.out.println(line);
    } catch (ResultsFormatException | IllegalArgumentException | java.io.UncheckedIOException e) {
      System.err.println("charts not written: " + e.getMessage());
      System.exit(2);
    }
  }

  /** Builds every chart first, then writes them, so a bad results file leaves the old charts in place. */
  static List<String> write(Path resultsDir, Path chartsDir) throws IOException {
    Map<String, Results> results = ResultsCsv.readAll(resultsDir);
    Map<String, Chart> charts = ReportCharts.build(results);
    Map<String, String> svgs = new LinkedHashMap<>();
    charts.forEach((name, chart) -> svgs.put(name, chart.svg()));
    Files.createDirectories(chartsDir);
    List<String> written = new ArrayList<>();
    for (Map.Entry<String, String> e : svgs.entrySet()) {
      Path file = chartsDir.resolve(e.getKey());
      Files.writeString(file, e.getValue(), StandardCharsets.UTF_8);
      written.add("wrote " + file + ": " + charts.get(e.getKey()).title());
    }
    return written;
  }
}
