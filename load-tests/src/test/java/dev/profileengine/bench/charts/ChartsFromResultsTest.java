package dev.profileengine.bench.charts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/** The committed results (load-tests/results, the module's working directory) make every chart of the report. */
class ChartsFromResultsTest {
  static final Path RESULTS = Path.of("results");

  @TempDir Path tmp;

  @Test
  void everyCommittedResultsFileParsesAndEveryChartIsWellFormed() throws Exception {
    List<String> written = ChartMain.write(RESULTS, tmp.resolve("charts"));
    assertEquals(ReportCharts.build(ResultsCsv.readAll(RESULTS)).size(), written.size());
    try (Stream<Path> files = Files.list(tmp.resolve("charts"))) {
      List<Path> svgs = files.sorted().toList();
      assertEquals(written.size(), svgs.size());
      for (Path svg : svgs) {
        Document doc = ChartSvgTest.parse(Files.readString(svg));
        assertEquals("svg", doc.getDocumentElement().getLocalName(), svg.toString());
        boolean drawn = !ChartSvgTest.elements(doc, "rect", "bar").isEmpty() || !ChartSvgTest.elements(doc, "circle", "point").isEmpty();
        assertTrue(drawn, svg + " has no bars or points");
      }
    }
  }

  @Test
  void aRunAppendedByAScriptShowsUpInItsChart() throws Exception {
    Path results = copyResults();
    Files.writeString(results.resolve("heap-per-profile.csv"), String.join("\n",
        "2026-12-05 10:00,bytes_per_profile,3900,bytes,2026-12-05,abc1234,load-tests/scripts/heap-per-profile.sh",
        "2026-12-05 10:00,active_profiles,199350,profiles,2026-12-05,abc1234,load-tests/scripts/heap-per-profile.sh",
        ""), StandardOpenOption.APPEND);
    BarChart heap = (BarChart) ReportCharts.build(ResultsCsv.readAll(results)).get("heap.svg");
    assertEquals("2026-12-05 10:00\n199,350 profiles", heap.groups().get(heap.groups().size() - 1));
    Document doc = ChartSvgTest.parse(heap.svg());
    List<Element> bars = ChartSvgTest.elements(doc, "rect", "bar");
    assertEquals("3900", bars.get(bars.size() - 1).getAttribute("data-value"));
    assertTrue(heap.caption().contains("abc1234") && heap.caption().contains("2026-12-05"), heap.caption());
  }

  @Test
  void aResultsFileWithoutWhatAChartNeedsIsNamed() throws Exception {
    Path results = copyResults();
    Files.writeString(results.resolve("scale-out.csv"), "run,metric,value,unit\nr,events_per_s_1_of_3n_0.4c,487,events/s\n");
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> ChartMain.write(results, tmp.resolve("out")));
    assertTrue(e.getMessage().contains("scale-out.csv") && e.getMessage().contains("events_per_s_3_of_3n_0.4c"), e.getMessage());
    assertTrue(Files.notExists(tmp.resolve("out")), "no chart is written when one cannot be");
  }

  private Path copyResults() throws IOException {
    Path copy = tmp.resolve("results");
    Files.createDirectories(copy);
    try (Stream<Path> files = Files.list(RESULTS)) {
      for (Path f : files.toList()) Files.copy(f, copy.resolve(f.getFileName()));
    }
    return copy;
  }
}
