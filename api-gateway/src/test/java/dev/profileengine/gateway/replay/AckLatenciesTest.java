package dev.profileengine.gateway.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.profileengine.data.BehaviorRow;
import dev.profileengine.profile.BehaviorType;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** The replay reports each batch's time from POST to acknowledgement, by nearest-rank percentiles. */
class AckLatenciesTest {

  @Test
  void percentilesAreNearestRankInMilliseconds() {
    AckLatencies acks = new AckLatencies();
    for (int ms = 100; ms >= 1; ms--) acks.record(ms * 1_000_000L); // out of order: sorted by the summary
    AckLatencies.Summary s = acks.summary();
    assertEquals(new AckLatencies.Summary(100, 50, 90, 99, 100), s);
    assertEquals(new AckLatencies.Summary(0, 0, 0, 0, 0), new AckLatencies().summary());
  }

  /** A peer that answers each batch after HOLD_MS: every batch's latency is at least that, and each batch counts once. */
  @Test
  void aReplayTimesEachBatchFromItsPostToItsAnswer() throws Exception {
    final long holdMs = 40;
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.createContext("/v1/events", exchange -> {
      String json = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      int events = json.split("\"eventId\"", -1).length - 1;
      try {
        Thread.sleep(holdMs); // the peer's processing time, what the replay measures
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      byte[] body = ("{\"accepted\":" + events + ",\"duplicates\":0,\"rejected\":0,\"unconfirmed\":0,\"results\":[]}").getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    try {
      List<BehaviorRow> rows = new ArrayList<>();
      for (int user = 0; user < 12; user++) rows.add(new BehaviorRow("u" + user, "i1", "c1", BehaviorType.VIEW, 1_511_658_000L, null, null));
      URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
      Replayer replayer = new Replayer(new Replayer.Options(base, 2, 2, 8, null));
      replayer.run(rows, p -> {});

      AckLatencies.Summary s = replayer.ackLatency();
      assertEquals(6, s.batches(), s.line());
      assertTrue(s.p50Ms() >= holdMs && s.maxMs() >= s.p99Ms() && s.p99Ms() >= s.p90Ms() && s.p90Ms() >= s.p50Ms(), s.line());
    } finally {
      server.stop(0);
    }
  }
}
