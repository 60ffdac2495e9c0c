package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SSE change notifications: ordered offsets, user filter, and resume across a node restart with no gap and no duplicate. */
class ChangeStreamTest {
  @TempDir
  Path dataDir;

  private static String events(String prefix, int n, String... users) {
    StringBuilder b = new StringBuilder("[");
    long t = Instant.now().minusSeconds(60).toEpochMilli();
    for (int i = 0; i < n; i++) {
      if (i > 0) b.append(',');
      b.append("{\"eventId\":\"").append(prefix).append(i).append("\",\"userId\":\"").append(users[i % users.length])
          .append("\",\"type\":\"view\",\"timestamp\":").append(t + i).append(",\"categoryId\":\"c").append(i % 5).append("\"}");
    }
    return b.append(']').toString();
  }

  /** Reads {@code n} notifications; returns their event ids, checking offsets strictly increase from {@code after}. */
  private static List<String> take(SseClient sse, int n, long[] after) throws Exception {
    List<String> ids = new ArrayList<>();
    while (ids.size() < n) {
      SseClient.Event e = sse.next(Duration.ofSeconds(20));
      assertNotNull(e, "notification " + (ids.size() + 1) + " of " + n + " did not arrive");
      if (e.data().isEmpty()) continue; // heartbeat
      assertEquals("profile-changed", e.type());
      long offset = Long.parseLong(e.id());
      assertTrue(offset > after[0], "offsets increase: " + offset + " after " + after[0]);
      after[0] = offset;
      JsonNode j = Json.MAPPER.readTree(e.data());
      assertEquals(offset, j.get("offset").asLong());
      if (!"event".equals(j.get("cause").asText())) continue; // predictions are notified too
      ids.add(j.get("eventIds").get(0).asText());
    }
    return ids;
  }

  @Test
  void changesAreDeliveredInOrderAndResumeAfterRestartWithoutGapOrDuplicate() throws Exception {
    Set<String> received = new LinkedHashSet<>();
    long[] last = {0};
    try (TestNode node = TestNode.start(dataDir);
         SseClient all = new SseClient(node.base.resolve("/v1/changes"), null);
         SseClient onlyB = new SseClient(node.base.resolve("/v1/changes?userId=b"), null)) {
      assertEquals(200, all.status);
      assertEquals(200, node.send("POST", "/v1/events", events("x", 30, "a", "b", "c")).statusCode());
      List<String> first = take(all, 20, last); // stop part-way: the rest must come after the restart
      received.addAll(first);
      long[] bOffsets = {0};
      List<String> bIds = take(onlyB, 10, bOffsets);
      for (String id : bIds) assertEquals(1, Integer.parseInt(id.substring(1)) % 3, "only user b: " + id);
    }
    assertEquals(20, received.size());

    try (TestNode node = TestNode.start(dataDir)) {
      assertEquals(200, node.send("POST", "/v1/events", events("y", 15, "a", "d")).statusCode());
      try (SseClient resumed = new SseClient(node.base.resolve("/v1/changes"), Long.toString(last[0]))) {
        List<String> rest = take(resumed, 25, last);
        for (String id : rest) assertTrue(received.add(id), "delivered twice: " + id);
        SseClient.Event extra;
        while ((extra = resumed.events.poll(1, java.util.concurrent.TimeUnit.SECONDS)) != null) {
          if (!extra.data().isEmpty()) {
            String cause = Json.MAPPER.readTree(extra.data()).get("cause").asText();
            assertTrue(cause.equals("prediction") || cause.equals("segments"), "nothing beyond but predictions and what they change: " + cause);
          }
        }
      }
      Set<String> expected = new LinkedHashSet<>();
      for (int i = 0; i < 30; i++) expected.add("x" + i);
      for (int i = 0; i < 15; i++) expected.add("y" + i);
      assertEquals(expected, received);

      // attributes changes are notified too, and ?from= works like Last-Event-ID
      node.send("PUT", "/v1/profiles/a/attributes", "{\"tier\":\"gold\"}");
      try (SseClient from = new SseClient(node.base.resolve("/v1/changes?from=" + last[0] + "&userId=a"), null)) {
        JsonNode j;
        do {
          SseClient.Event e = from.next(Duration.ofSeconds(20));
          assertNotNull(e);
          j = e.data().isEmpty() ? null : Json.MAPPER.readTree(e.data());
        } while (j == null || (j.get("cause").asText().equals("prediction") || j.get("cause").asText().equals("segments")));
        assertEquals("attributes", j.get("cause").asText());
        assertEquals("gold", j.at("/changes/attributes/tier").asText());
      }
      assertEquals(400, node.get("/v1/changes?from=abc").statusCode());
    }
  }

  /**
   * A subscriber that stops taking changes is closed with a reason and its resume offset once it
   * has left a change waiting for the stall limit (2 s here); resuming from that offset yields the
   * rest: every change exactly once. Runs the subscription on the node's real journal and takes
   * its items through a pull-only queue (no HTTP client buffers to hide the stall).
   */
  @Test
  void aStalledSubscriberIsClosedWithAReasonAndResumesWithoutAGap() throws Exception {
    int n = 3000;
    try (TestNode node = TestNode.start(dataDir, java.util.Map.of("profile.changes.max-stall", "2s", "profile.model.enabled", "off"))) {
      for (int b = 0; b < n / 1000; b++) {
        assertEquals(200, node.send("POST", "/v1/events", events("s" + b + "-", 1000, "u1", "u2", "u3", "u4")).statusCode());
      }
      var system = node.node.system();
      var feed = new dev.profileengine.engine.ChangeFeed(system);
      var limits = new ChangeSubscription.Limits(100, Duration.ofSeconds(2));
      GatewayMetrics metrics = new GatewayMetrics();
      Set<String> seen = new java.util.HashSet<>();
      var stalled = ChangeSubscription.of(feed, 0, Set.of(), c -> true, limits, metrics, new java.util.concurrent.CompletableFuture<>())
          .runWith(akka.stream.javadsl.Sink.queue(), system);
      take(stalled, 10, seen);
      Thread.sleep(4000); // takes nothing: read-ahead fills, the subscription stalls
      ChangeSubscription.Closed closed = null;
      while (closed == null) {
        var item = stalled.pull().toCompletableFuture().get(20, java.util.concurrent.TimeUnit.SECONDS);
        assertTrue(item.isPresent(), "the stream ended without a close reason");
        if (item.get() instanceof ChangeSubscription.Closed c) closed = c;
        else record(((ChangeSubscription.Change) item.get()).change(), seen);
      }
      assertTrue(closed.reason().startsWith("too_slow"), closed.reason());
      assertTrue(seen.size() < n, "closed before the end: " + seen.size());
      assertTrue(stalled.pull().toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS).isEmpty(), "nothing after the close");

      var resumed = ChangeSubscription.of(feed, closed.resumeFrom(), Set.of(), c -> true, limits, metrics, new java.util.concurrent.CompletableFuture<>())
          .runWith(akka.stream.javadsl.Sink.queue(), system);
      while (seen.size() < n) take(resumed, 1, seen);
      assertEquals(n, seen.size());
      resumed.cancel();
    }
  }

  private static void take(akka.stream.javadsl.SinkQueueWithCancel<ChangeSubscription.Item> q, int count, Set<String> seen) throws Exception {
    for (int i = 0; i < count; i++) {
      var item = q.pull().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertTrue(item.isPresent() && item.get() instanceof ChangeSubscription.Change, "a change: " + item);
      record(((ChangeSubscription.Change) item.get()).change(), seen);
    }
  }

  /** Records an event notification's id; one seen twice fails the test. */
  private static void record(dev.profileengine.engine.ChangeFeed.ProfileChanged c, Set<String> seen) {
    if (c.cause().equals("event")) assertTrue(seen.add(c.eventIds().get(0)), "delivered twice: " + c.eventIds());
  }

  /** A node that stops ends its open streams with a close event naming the reason and the resume offset. */
  @Test
  void streamsEndWithACloseReasonWhenTheNodeStops() throws Exception {
    TestNode node = TestNode.start(dataDir, java.util.Map.of("profile.model.enabled", "off"));
    try (SseClient sse = new SseClient(node.base.resolve("/v1/changes"), null)) {
      assertEquals(200, node.send("POST", "/v1/events", events("z", 3, "a")).statusCode());
      long[] last = {0};
      take(sse, 3, last);
      node.close();
      SseClient.Event e;
      do {
        e = sse.next(Duration.ofSeconds(20));
        assertNotNull(e, "a close event before the stream ended");
      } while (e.data().isEmpty() || !"close".equals(e.type()));
      JsonNode close = Json.MAPPER.readTree(e.data());
      assertTrue(close.get("reason").asText().startsWith("shutting_down"), e.data());
      assertTrue(close.get("resumeFrom").asLong() >= last[0], "resume at or after the last change seen: " + e.data());
    }
  }
}
