package dev.profileengine.bench.charts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultsCsvTest {
  @TempDir Path dir;

  private Path write(String name, String... lines) throws IOException {
    return Files.write(dir.resolve(name), List.of(lines));
  }

  @Test
  void readsRowsWithQuotedFieldsAndOptionalColumnsInAnyOrder() throws IOException {
    Path file = write("pool.csv",
        "metric,run,unit,value,command,date",
        "batch1_per_s,default,predictions/s,726,\"pool-latency.sh --fractions 0.25,0.5\",2026-11-23",
        "",
        "pool_max_per_s,default,predictions/s,22490.5,\"JAVA_OPTS=\"\"-Da=1\"\" pool-latency.sh\",2026-11-23");
    Results results = ResultsCsv.read(file);
    assertEquals("pool", results.name());
    assertEquals(List.of(
        new ResultRow("default", "batch1_per_s", 726, "predictions/s", "2026-11-23", "", "pool-latency.sh --fractions 0.25,0.5"),
        new ResultRow("default", "pool_max_per_s", 22490.5, "predictions/s", "2026-11-23", "", "JAVA_OPTS=\"-Da=1\" pool-latency.sh")),
        results.rows());
  }

  @Test
  void theLastRowOfARunAndMetricWinsAndARerunComesLast() throws IOException {
    Results results = ResultsCsv.read(write("x.csv",
        "run,metric,value,unit",
        "a,m,1,ms",
        "b,m,2,ms",
        "b,n,5,ms",
        "a,m,3,ms"));
    assertEquals(OptionalDouble.of(3), results.value("a", "m"));
    assertEquals(List.of("b", "a"), results.runs());
    assertEquals(List.of("b"), results.latestRunsWithAll(List.of("m", "n"), 6));
    assertEquals(List.of("a"), results.latestRunsWithAll(List.of("m"), 1));
    assertEquals(OptionalDouble.empty(), results.value("a", "n"));
  }

  @Test
  void aRowWithTheWrongNumberOfFieldsNamesFileAndLine() throws IOException {
    Path file = write("ingest.csv",
        "run,metric,value,unit,date",
        "r1,live_events_per_s,12389,events/s,2026-12-03",
        "",
        "r2,live_events_per_s,12732,events/s");
    ResultsFormatException e = assertThrows(ResultsFormatException.class, () -> ResultsCsv.read(file));
    assertEquals(file + ":4: 4 fields, the header has 5", e.getMessage());
  }

  @Test
  void aValueThatIsNotAPlainNumberNamesFileLineAndValue() throws IOException {
    Path file = write("ingest.csv",
        "run,metric,value,unit",
        "r1,live_events_per_s,\"12,389\",events/s");
    ResultsFormatException e = assertThrows(ResultsFormatException.class, () -> ResultsCsv.read(file));
    assertTrue(e.getMessage().startsWith(file + ":2: value '12,389' of live_events_per_s is not a plain number"), e.getMessage());
    for (String bad : List.of("NaN", "1e4", "", "twelve")) {
      Path f = write("v.csv", "run,metric,value,unit", "r1,m," + bad + ",ms");
      ResultsFormatException again = assertThrows(ResultsFormatException.class, () -> ResultsCsv.read(f), bad);
      assertTrue(again.getMessage().startsWith(f + ":2: "), again.getMessage());
    }
  }

  @Test
  void emptyRequiredFieldsAndBrokenQuotesNameFileAndLine() throws IOException {
    Path noRun = write("a.csv", "run,metric,value,unit", "r,m,1,ms", " ,m,1,ms");
    assertEquals(noRun + ":3: empty run", assertThrows(ResultsFormatException.class, () -> ResultsCsv.read(noRun)).getMessage());
    Path noUnit = write("b.csv", "run,metric,value,unit", "r,m,1,");
    assertEquals(noUnit + ":2: empty unit", assertThrows(ResultsFormatException.class, () -> ResultsCsv.read(noUnit)).getMessage());
    Path open = write("c.csv", "run,metric,value,unit", "\"r,m,1,ms");
    assertEquals(open + ":2: a quoted field is not closed", assertThrows(ResultsFormatException.class, () -> ResultsCsv.read(open)).getMessage());
    Path stray = write("d.csv", "run,metric,value,unit", "r\"x,m,1,ms");
    assertTrue(assertThrows(ResultsFormatException.class, () -> ResultsCsv.read(stray)).getMessage().startsWith(stray + ":2: a quote inside"));
    Path trailing = write("e.csv", "run,metric,value,unit", "\"r\"x,m,1,ms");
    assertTrue(assertThrows(ResultsFormatException.class, () -> ResultsCsv.read(trailing)).getMessage().startsWith(trailing + ":2: text after"));
  }

  @Test
  void aBadHeaderIsAnErrorOfLineOne() throws IOException {
    Path missing = write("a.csv", "run,metric,unit", "r,m,ms");
    assertEquals(missing + ":1: header lacks the column 'value'", assertThrows(ResultsFormatException.class, () -> ResultsCsv.read(missing)).getMessage());
    Path unknown = write("b.csv", "run,metric,vlaue,unit");
    assertTrue(assertThrows(ResultsFormatException.class, () -> ResultsCsv.read(unknown)).getMessage().startsWith(unknown + ":1: unknown column 'vlaue'"));
    Path empty = write("c.csv");
    assertTrue(assertThrows(ResultsFormatException.class, () -> ResultsCsv.read(empty)).getMessage().startsWith(empty + ":1: no header row"));
  }

  @Test
  void readAllReadsEveryCsvOfADirectoryAndChecksEachOne() throws IOException {
    write("b.csv", "run,metric,value,unit", "r,m,1,ms");
    write("a.csv", "run,metric,value,unit", "r,m,2,ms");
    write("notes.txt", "not a results file");
    assertEquals(List.of("a", "b"), List.copyOf(ResultsCsv.readAll(dir).keySet()));
    Path bad = write("c.csv", "run,metric,value,unit", "r,m,x,ms");
    assertTrue(assertThrows(ResultsFormatException.class, () -> ResultsCsv.readAll(dir)).getMessage().startsWith(bad + ":2:"));
  }

  @Test
  void theSourceOfACaptionNamesFileDatesAndBuilds() throws IOException {
    Results results = ResultsCsv.read(write("ingest.csv",
        "run,metric,value,unit,date,build",
        "a,m,1,ms,2026-12-03,f4edefc",
        "b,m,1,ms,2026-12-02,",
        "c,m,1,ms,2026-12-04,abc1234"));
    assertEquals("Source: load-tests/results/ingest.csv; 2026-12-02, 2026-12-03; build f4edefc (not recorded for 1 run).",
        results.source(List.of("a", "b")));
    assertEquals("Source: load-tests/results/ingest.csv; 2026-12-02; build not recorded.", results.source(List.of("b")));
  }
}
