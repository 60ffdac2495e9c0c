package dev.profileengine.gateway.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.profileengine.data.BehaviorRow;
import dev.profileengine.profile.BehaviorType;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --rate}: a paced replay starts each batch no earlier than its rows' turn at the rate, so a
 * prompt peer sees the rows arrive at that rate, not as fast as it answers. The peer is a plain HTTP
 * server answering as a node does, which records when each batch arrived and its size.
 */
class ReplayerPacingTest {
  @TempDir Path dir;

  private record Arrival(long nanos, int events) {}

  @Test
  void aPacedReplayStartsNoBatchBeforeItsRowsTurn() throws Exception {
    List<Arrival> arrivals = new CopyOnWriteArrayList<>();
    HttpServer server = peer(arrivals);
    try {
      List<BehaviorRow> rows = new ArrayList<>();
      for (int user = 0; user < 10; user++) {
        for (int k = 0; k < 5; k++) rows.add(new BehaviorRow("u" + user, "i" + k, "c1", BehaviorType.VIEW, 1_511_658_000L + k, null, null));
      }
      double rate = 50; // a batch of 5 every 100 ms; unpaced, a local peer answers one in a few ms
      URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
      long before = System.nanoTime();
      Replayer.Progress done = new Replayer(new Replayer.Options(base, 5, 2, 8, null, null, rate)).run(rows, p -> {});

      assertEquals(rows.size(), done.accepted());
      List<Arrival> byTime = new ArrayList<>(arrivals);
      byTime.sort(java.util.Comparator.comparingLong(Arrival::nanos));
      long rowsBefore = 0;
      for (Arrival a : byTime) {
        long turn = before + (long) (rowsBefore * 1e9 / rate);
        assertTrue(a.nanos() >= turn, "a batch after " + rowsBefore + " rows arrived " + (turn - a.nanos()) / 1_000_000 + " ms before its turn");
        rowsBefore += a.events();
      }
      assertTrue(done.eventsPerSecond() <= rate * rows.size() / (rows.size() - 5.0),
          "the last batch starts at its turn: " + done.eventsPerSecond() + " events/s");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void theCliTakesARateAndRefusesANegativeOne() throws Exception {
    Path csv = Files.writeString(dir.resolve("rows.csv"), "1,10,100,pv,1511658000\n");
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      assertEquals(2, ReplayCli.run(new String[] {"--file", csv.toString(), "--rate", "-5"}, ReplaySettings.fromEnv(java.util.Map.of())));
    } finally {
      System.setErr(err);
    }
    assertTrue(captured.toString(StandardCharsets.UTF_8).contains("--rate must be"), captured.toString(StandardCharsets.UTF_8));
    assertTrue(ReplayCli.USAGE.contains("--rate EVENTS_PER_S"), ReplayCli.USAGE);
    assertThrows(IllegalArgumentException.class, () -> new Replayer.Options(URI.create("http://x"), 1, 1, 1, null, null, -1));

    List<Arrival> arrivals = new CopyOnWriteArrayList<>();
    HttpServer server = peer(arrivals);
    try {
      String url = "http://127.0.0.1:" + server.getAddress().getPort();
      assertEquals(0, ReplayCli.run(new String[] {"--file", csv.toString(), "--url", url, "--rate", "1000"}, ReplaySettings.fromEnv(java.util.Map.of())));
      assertEquals(1, arrivals.stream().mapToInt(Arrival::events).sum());
    } finally {
      server.stop(0);
    }
  }

  /** A peer that accepts every event and records each batch's arrival. */
  private static HttpServer peer(List<Arrival> arrivals) throws java.io.IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.createContext("/v1/events", exchange -> {
      long at = System.nanoTime();
      String json = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      int events = json.split("\"eventId\"", -1).length - 1;
      arrivals.add(new Arrival(at, events));
      byte[] body = ("{\"accepted\":" + events + ",\"duplicates\":0,\"rejected\":0,\"unconfirmed\":0,\"results\":[]}")
          .getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    return server;
  }
}
