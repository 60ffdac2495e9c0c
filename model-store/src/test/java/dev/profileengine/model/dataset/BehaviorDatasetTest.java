package dev.profileengine.model.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.profileengine.data.DataFiles;
import dev.profileengine.data.DataFormat;
import dev.profileengine.data.DataFormatException;
import dev.profileengine.data.TaobaoCsv;
import dev.profileengine.profile.BehaviorType;
import dev.profileengine.profile.RecentBehavior;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BehaviorDatasetTest {
  @TempDir Path dir;

  @Test
  void taobaoCsvToleratesBadLinesAndSortsEachUserByTime() throws Exception {
    Path f = dir.resolve("t.csv");
    Files.writeString(f, String.join("\n",
        "1,10,100,pv,1511658000",
        "1,11,100,cart,1511657000",
        "this,is,not,a,row",
        "2,12,200,buy,1511659000",
        "2,12,200,teleport,1511659001",
        "1,13,,pv,1511659002",
        ""));
    List<TaobaoCsv.BadLine> bad = new ArrayList<>();
    BehaviorDataset d = BehaviorDataset.load(f, DataFormat.TAOBAO, bad::add);
    assertEquals(3, bad.size());
    assertEquals(3, d.badLines());
    assertEquals(List.of("1", "2"), List.copyOf(d.users().keySet()));
    List<RecentBehavior> u1 = d.users().get("1");
    assertEquals(BehaviorType.CART, u1.get(0).type(), "earlier event first");
    assertEquals(1511657000_000L, u1.get(0).epochMillis());
    assertEquals(3, d.events());
    assertEquals(64, d.sha256().length());
  }

  @Test
  void gzipFilesReadAndHashAsTheirPlainContent() throws Exception {
    String csv = "1,10,100,pv,1511658000\n2,12,200,buy,1511659000\n1,11,100,cart,1511657000\n";
    Path plain = dir.resolve("d.csv");
    Files.writeString(plain, csv);
    Path gz = dir.resolve("d.csv.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write(csv.getBytes(StandardCharsets.UTF_8));
    }
    BehaviorDataset a = BehaviorDataset.load(plain, DataFormat.TAOBAO, b -> {});
    BehaviorDataset b = BehaviorDataset.load(gz, DataFormat.TAOBAO, x -> {});
    assertEquals(a.users(), b.users());
    assertEquals(a.sha256(), b.sha256(), "the hash is of the data, not of its compression");
    assertEquals(TaobaoCsv.read(plain, x -> {}), TaobaoCsv.read(gz, x -> {}));
    assertEquals("d.csv", DataFiles.dataName(gz));
    Path truncated = dir.resolve("t.csv.gz");
    byte[] bytes = Files.readAllBytes(gz);
    Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    assertThrows(DataFormatException.class, () -> TaobaoCsv.read(truncated, x -> {}), "a cut-off archive is an error, not fewer rows");
  }

  @Test
  void jsonEventsAcceptIsoAndEpochMillisAndDropDuplicateIds() throws Exception {
    Path f = dir.resolve("e.jsonl");
    Files.writeString(f, String.join("\n",
        "{\"eventId\":\"e1\",\"userId\":\"u1\",\"type\":\"view\",\"timestamp\":\"2017-11-25T10:00:00Z\",\"itemId\":\"i1\",\"categoryId\":\"c1\"}",
        "{\"eventId\":\"e2\",\"userId\":\"u1\",\"type\":\"search\",\"timestamp\":1511600400000,\"query\":\"shoes\"}",
        "{\"eventId\":\"e1\",\"userId\":\"u1\",\"type\":\"view\",\"timestamp\":\"2017-11-25T10:00:00Z\",\"itemId\":\"i1\",\"categoryId\":\"c1\"}",
        "{\"eventId\":\"e3\",\"userId\":42,\"type\":\"purchase\",\"timestamp\":\"2017-11-25T12:00:00+08:00\",\"categoryId\":7}",
        "{\"eventId\":\"e4\",\"userId\":\"u1\",\"type\":\"teleport\",\"timestamp\":1}",
        "not json"));
    List<TaobaoCsv.BadLine> bad = new ArrayList<>();
    BehaviorDataset d = BehaviorDataset.load(f, DataFormat.JSON, bad::add);
    assertEquals(2, bad.size());
    assertEquals(2, d.users().get("u1").size(), "the replayed e1 counts once");
    assertEquals(BehaviorType.SEARCH, d.users().get("u1").get(0).type(), "09:00 UTC comes before 10:00 UTC");
    assertEquals("7", d.users().get("42").get(0).categoryId());
    assertEquals(1511582400000L, d.users().get("42").get(0).epochMillis());
  }

  @Test
  void emptyFileIsATypedError() throws Exception {
    Path f = dir.resolve("empty.csv");
    Files.writeString(f, "garbage\nmore garbage\n");
    assertThrows(DataFormatException.class, () -> BehaviorDataset.load(f, DataFormat.TAOBAO, b -> {}));
  }

  @Test
  void splitIsPerUserChronological() {
    ChronologicalSplit s = ChronologicalSplit.DEFAULT;
    assertEquals(4, s.historyLength(5));
    assertEquals(80, s.historyLength(100));
    assertEquals(3, s.historyLength(4));
    assertEquals(68, s.validationStart(80));
  }
}
