package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.profileengine.data.BehaviorRow;
import dev.profileengine.data.SampleFiles;
import dev.profileengine.data.TaobaoCsv;
import dev.profileengine.gateway.replay.ReplayCli;
import dev.profileengine.gateway.wire.Json;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code replay --file} takes the repository's gzip-compressed sample as it is. */
class ReplayCliTest {
  @TempDir Path dir;

  @Test
  void replaysAGzipCompressedCsvIntoANode() throws Exception {
    Path gz = SampleFiles.find("taobao-userbehavior-sample.csv");
    assertTrue(gz.getFileName().toString().endsWith(".csv.gz"), "the repository ships the sample compressed: " + gz);
    int rows = 2_000;
    // what the CLI sends: the file sorted by event time, then the first --limit rows
    List<BehaviorRow> sent = TaobaoCsv.readSortedByTime(gz, bad -> {}).subList(0, rows);
    Map<String, Long> perUser = new TreeMap<>(sent.stream().collect(Collectors.groupingBy(BehaviorRow::userId, Collectors.counting())));
    try (TestNode node = TestNode.start(dir.resolve("data"))) {
      int rc = ReplayCli.run(new String[] {"--file", gz.toString(), "--url", node.base.toString(), "--limit", String.valueOf(rows),
          "--batch", "250", "--concurrency", "2"});
      assertEquals(0, rc, "replay exit code");
      int checked = 0;
      for (Map.Entry<String, Long> e : perUser.entrySet()) {
        if (checked++ % 25 != 0) continue;
        var r = node.get("/v1/profiles/" + e.getKey());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(e.getValue().longValue(), Json.MAPPER.readTree(r.body()).get("eventCount").asLong(), "user " + e.getKey());
      }
      assertTrue(checked > 20, "checked " + checked + " users");
    }
  }
}
