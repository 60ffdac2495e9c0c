package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Subscribers that catch up from offset 0 and never read delay only themselves (hostile-client
 * probe: 400 of them on a journal of 40k changes stalled every other client for 40 s). Each costs
 * the node a bounded amount of journal reading (its read-ahead, not the whole journal into its
 * socket's send buffer), and a well-behaved client's writes and reads stay fast meanwhile.
 */
class ChangeStreamFloodTest {
  @TempDir
  Path dataDir;

  private static final int SUBSCRIBERS = 150;
  private static final int JOURNALED = 6_000;
  private static final String ROWS_READ = "profile_tag_rows_read_total{tag=\"" + dev.profileengine.engine.changes.ChangeFeed.TAG + "\"}";
  // A write or read may take this long at most while the subscribers catch up (before the fix: 10+ s).
  private static final Duration BOUND = Duration.ofMillis(2500);

  @Test
  void neverReadingSubscribersFromOffsetZeroDelayOnlyThemselves() throws Exception {
    long began = System.nanoTime();
    try (TestNode node = TestNode.start(dataDir, Map.of("profile.model.enabled", "off"))) {
      System.out.printf("node up after %d ms%n", (System.nanoTime() - began) / 1_000_000);
      String[] users = new String[50];
      for (int i = 0; i < users.length; i++) users[i] = "u" + i;
      for (int b = 0; b < JOURNALED / 500; b++) {
        assertEquals(200, node.send("POST", "/v1/events", TestEvents.recent("f" + b + "-", 500, "view", users)).statusCode());
      }
      System.out.printf("journal filled after %d ms%n", (System.nanoTime() - began) / 1_000_000);
      HttpClient client = HttpClient.newBuilder().connectTimeout(BOUND.multipliedBy(2)).build();
      timed(client, node, 0); // the good client's profile exists before the flood
      double rowsBefore = node.metric(ROWS_READ);
      long heapBefore = liveHeap();

      List<Socket> flood = new ArrayList<>();
      try {
        for (int i = 0; i < SUBSCRIBERS; i++) {
          Socket s = new Socket();
          s.setReceiveBufferSize(4096); // never read: the node's send buffer fills, then its stream stalls
          s.connect(new InetSocketAddress("127.0.0.1", node.base.getPort()), 5_000);
          s.getOutputStream().write("GET /v1/changes?from=0 HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
          flood.add(s);
        }
        // A well-behaved client (one event, one profile read, every 100 ms) while the subscribers
        // catch up, until their journal reads have stopped for 2 s (all stalled), 8 s at least.
        long start = System.nanoTime();
        long deadline = start + Duration.ofSeconds(25).toNanos();
        long slowest = 0;
        int n = 1;
        double rows = -1;
        long rowsStill = System.nanoTime();
        while (System.nanoTime() < deadline) {
          slowest = Math.max(slowest, timed(client, node, n++));
          // The live read reads the good client's changes too: stalled is fewer than one row per subscriber since.
          double now = node.metric(ROWS_READ);
          if (now - rows >= SUBSCRIBERS) {
            rows = now;
            rowsStill = System.nanoTime();
          }
          boolean stalled = System.nanoTime() - rowsStill > Duration.ofSeconds(2).toNanos();
          if (stalled && System.nanoTime() - start > Duration.ofSeconds(8).toNanos()) break;
          Thread.sleep(100);
        }
        double perSubscriber = (node.metric(ROWS_READ) - rowsBefore) / SUBSCRIBERS;
        long heapPerSubscriber = (liveHeap() - heapBefore) / SUBSCRIBERS;
        System.out.printf("flood measured after %d ms%n", (System.nanoTime() - began) / 1_000_000);
        System.out.printf("flood of %d: slowest write or read %d ms, %.0f changes read per subscriber, live heap %d KB per subscriber%n",
            SUBSCRIBERS, slowest, perSubscriber, heapPerSubscriber / 1024);
        assertTrue(slowest <= BOUND.toMillis(), "a write or read took " + slowest + " ms while never-reading subscribers caught up");
        // Its read-ahead (128), one page of the catch-up (500) and what its socket holds; not the journal.
        assertTrue(perSubscriber < 3_000, perSubscriber + " changes read per never-reading subscriber of a journal of " + JOURNALED);
        // About 265 KB here (426 KB with a read-ahead of 1,000): 2,000 subscribers stay within about half a gigabyte.
        assertTrue(heapPerSubscriber < 1L << 20, heapPerSubscriber + " bytes of live heap per never-reading subscriber");
      } finally {
        for (Socket s : flood) s.close();
      }
    }
    System.out.printf("node closed after %d ms%n", (System.nanoTime() - began) / 1_000_000);
  }

  /** One event and one read of its profile; the slower of the two in ms (a timeout counts as twice the bound). */
  private static long timed(HttpClient client, TestNode node, int n) throws Exception {
    String event = "[{\"eventId\":\"good" + n + "\",\"userId\":\"good\",\"type\":\"view\",\"timestamp\":" + System.currentTimeMillis()
        + ",\"categoryId\":\"c1\"}]";
    long t0 = System.nanoTime();
    try {
      HttpResponse<String> w = client.send(HttpRequest.newBuilder(node.base.resolve("/v1/events")).timeout(BOUND.multipliedBy(2))
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(event)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, w.statusCode(), w.body());
      long t1 = System.nanoTime();
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(node.base.resolve("/v1/profiles/good")).timeout(BOUND.multipliedBy(2)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      return Math.max(t1 - t0, System.nanoTime() - t1) / 1_000_000;
    } catch (java.net.http.HttpTimeoutException e) {
      return BOUND.multipliedBy(2).toMillis();
    }
  }

  /** The heap in use after a full collection. */
  private static long liveHeap() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
