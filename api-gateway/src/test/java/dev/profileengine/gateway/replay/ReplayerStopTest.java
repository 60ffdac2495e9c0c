package dev.profileengine.gateway.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.profileengine.data.BehaviorRow;
import dev.profileengine.profile.BehaviorType;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch that fails for good stops the replay: later batches would store users' later rows past a
 * hole in their history, and against a node that is not there the replay would spend minutes
 * failing batch after batch. The peers are a port nobody listens on and a plain HTTP server that
 * refuses every batch as a node with API keys refuses a client without one.
 */
class ReplayerStopTest {
  @TempDir Path dir;

  private static List<BehaviorRow> rows(int users, int each) {
    List<BehaviorRow> rows = new ArrayList<>();
    for (int k = 0; k < each; k++) {
      for (int user = 0; user < users; user++) rows.add(new BehaviorRow(String.valueOf(100 + user), String.valueOf(500 + k), "7", BehaviorType.VIEW, 1_511_658_000L + k, null, null));
    }
    return rows;
  }

  @Test
  void aNodeThatIsNotThereStopsTheReplayAtItsFirstFailedBatch() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Replayer replayer = new Replayer(new Replayer.Options(URI.create("http://127.0.0.1:" + port), 10, 1, 2, null));
    Replayer.Progress done = replayer.run(rows(10, 20), p -> {});

    assertEquals(1, done.failedBatches(), "one lane: the first batch fails, no other is sent");
    assertEquals(0, done.rowsSent());
    String why = replayer.stoppedBy().orElseThrow();
    assertTrue(why.startsWith("a batch of 10 rows failed after 2 attempts: "), why);
    assertTrue(why.contains("Connect"), why);
  }

  @Test
  void aRefusedBatchStopsTheCliAtOnceSayingWhyAndThatAReplayIsSafe() throws Exception {
    AtomicInteger batches = new AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/v1/events", ex -> {
      batches.incrementAndGet();
      ex.getRequestBody().readAllBytes();
      byte[] body = "{\"error\":\"unauthorized\",\"field\":\"Authorization\"}".getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(401, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    server.start();
    Path csv = dir.resolve("rows.csv");
    StringBuilder lines = new StringBuilder();
    for (BehaviorRow r : rows(10, 20)) lines.append(r.userId()).append(",").append(r.itemId()).append(",7,pv,").append(r.epochSecond()).append("\n");
    Files.writeString(csv, lines);
    PrintStream out = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
    int rc;
    try {
      rc = ReplayCli.run(new String[] {"--file", csv.toString(), "--url", "http://127.0.0.1:" + server.getAddress().getPort(),
          "--batch", "10", "--concurrency", "1"}, new ReplaySettings(URI.create("http://127.0.0.1:1"), null));
    } finally {
      System.setOut(out);
      server.stop(0);
    }
    String text = printed.toString(StandardCharsets.UTF_8);
    assertEquals(1, rc, text);
    assertEquals(1, batches.get(), "a refusal is not retried and stops the replay: " + text);
    assertTrue(text.contains("replay stopped after 0 of 200 rows: a batch of 10 rows failed after 1 attempt: HTTP 401"), text);
    assertTrue(text.contains("Replaying the same file again is safe"), text);
  }
}
