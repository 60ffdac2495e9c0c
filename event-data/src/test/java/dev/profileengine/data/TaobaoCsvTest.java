package dev.profileengine.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.profileengine.profile.BehaviorType;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaobaoCsvTest {
  @TempDir Path dir;

  @Test
  void readsTheBundledSampleInTimeOrder() {
    List<TaobaoCsv.BadLine> bad = new ArrayList<>();
    List<BehaviorRow> rows = TaobaoCsv.readSortedByTime(SampleFiles.find(SampleFiles.SAMPLE), bad::add);
    assertEquals(110_294, rows.size(), "the sample's events (samples/README.md)");
    assertEquals(List.of(), bad);
    Set<String> users = new HashSet<>();
    for (int i = 0; i < rows.size(); i++) {
      users.add(rows.get(i).userId());
      if (i > 0) assertTrue(rows.get(i - 1).epochSecond() <= rows.get(i).epochSecond(), "sorted at row " + i);
    }
    assertEquals(66_450, users.size(), "the sample's users");
  }

  @Test
  void parsesBothLayoutsAndNamesTheColumnAtFault() {
    BehaviorRow five = TaobaoCsv.parse("1,2268318,2520377,pv,1511544070");
    assertEquals(new BehaviorRow("1", "2268318", "2520377", BehaviorType.VIEW, 1511544070L, null, null), five);
    assertEquals("tb-1-2268318-view-1511544070", five.eventId());
    BehaviorRow ten = TaobaoCsv.parse("7,99,acme,x,y,z,42,buy,1511544070,19.5");
    assertEquals("acme", ten.brand());
    assertEquals(19.5, ten.price());
    assertNull(TaobaoCsv.parse("7,99, ,x,y,z,42,cart,1511544070,").brand());

    assertMessage("user_id is not numeric", "u1,2,3,pv,1511544070");
    assertMessage("behavior_type is not one of", "1,2,3,click,1511544070");
    assertMessage("timestamp is not unix seconds", "1,2,3,pv,yesterday");
    assertMessage("price is negative", "7,99,b,x,y,z,42,buy,1511544070,-1");
    assertMessage("expected 5 or 10 columns, found 3", "1,2,3");
  }

  @Test
  void gzipIsDetectedByContentAndBadLinesAreReportedNotFatal() throws IOException {
    String text = "user_id,item_id,category_id,behavior_type,timestamp\n"
        + "1,10,100,pv,1511544070\n"
        + "not,a,row\n"
        + "\n"
        + "2,20,200,buy,1511544071\n";
    Path plain = dir.resolve("events.csv");
    Files.writeString(plain, text);
    Path gz = dir.resolve("events.data"); // no .gz suffix: the magic bytes decide
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
    for (Path file : List.of(plain, gz)) {
      List<TaobaoCsv.BadLine> bad = new ArrayList<>();
      List<BehaviorRow> rows = TaobaoCsv.read(file, bad::add);
      assertEquals(List.of("1", "2"), rows.stream().map(BehaviorRow::userId).toList(), file.toString());
      assertEquals(1, bad.size(), file + ": " + bad);
      assertEquals(3, bad.get(0).line(), "1-based line of the bad row");
    }
    assertEquals("events.csv", DataFiles.dataName(dir.resolve("events.csv.gz")));
  }

  @Test
  void aMissingSampleSaysWhereItLooked() {
    System.setProperty("profile.data.samples", dir.toString());
    try {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> SampleFiles.find(SampleFiles.SAMPLE));
      assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
    } finally {
      System.clearProperty("profile.data.samples");
    }
  }

  private static void assertMessage(String expected, String line) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TaobaoCsv.parse(line));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
