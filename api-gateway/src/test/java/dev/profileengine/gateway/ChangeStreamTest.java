package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profileengine.engine.profiles.ChangeSubscription;
import dev.profileengine.engine.profiles.ProfileMetrics;
import dev.profileengine.gateway.wire.Json;
import java.nio.file.Path;
import java.time.Duration;
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
      assertEquals(200, node.send("POST", "/v1/events", TestEvents.recent("x", 30, "view", "a", "b", "c")).statusCode());
      List<String> first = take(all, 20, last); // stop part-way: the rest must come after the restart
      received.addAll(first);
      long[] bOffsets = {0};
      List<String> bIds = take(onlyB, 10, bOffsets);
      for (String id : bIds) assertEquals(1, Integer.parseInt(id.substring(1)) % 3, "only user b: " + id);
    }
    assertEquals(20, received.size());

    try (TestNode node = TestNode.start(dataDir)) {
      assertEquals(200, node.send("POST", "/v1/events", TestEvents.recent("y", 15, "view", "a", "d")).statusCode());
      // As a browser's EventSource reconnects: the same URL, from=0 included, and the header: the header wins.
      try (SseClient resumed = new SseClient(node.base.resolve("/v1/changes?from=0"), Long.toString(last[0]))) {
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
        assertEquals(200, node.send("POST", "/v1/events", TestEvents.recent("s" + b + "-", 1000, "view", "u1", "u2", "u3", "u4")).statusCode());
      }
      var system = node.node.system();
      var feed = dev.profileengine.engine.changes.ChangeFeed.get(system);
      var limits = new ChangeSubscription.Limits(100, Duration.ofSeconds(2));
      ProfileMetrics metrics = new ProfileMetrics();
      Set<String> seen = new java.util.HashSet<>();
      var stalled = ChangeSubscription.of(feed, 0, Set.of(), c -> true, limits, metrics, new ChangeSubscription.Stopping())
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

      var resumed = ChangeSubscription.of(feed, closed.resumeFrom(), Set.of(), c -> true, limits, metrics, new ChangeSubscription.Stopping())
          .runWith(akka.stream.javadsl.Sink.queue(), system);
      while (seen.size() < n) take(resumed, 1, seen);
      assertEquals(n, seen.size());
      resumed.cancel();
    }
  }

  /**
   * A stream with nothing to send sends a comment line at the heartbeat (300 ms here), never an
   * event: a browser's EventSource dispatches a message for an empty {@code data:} line, which a
   * client parsing each message as JSON fails on.
   */
  @Test
  void aQuietStreamSendsCommentLinesNotEmptyEvents() throws Exception {
    try (TestNode node = TestNode.start(dataDir, java.util.Map.of("profile.model.enabled", "off", "profile.changes.heartbeat", "300ms"));
         java.net.Socket socket = new java.net.Socket(node.base.getHost(), node.base.getPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write("GET /v1/changes?from=latest HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      java.io.ByteArrayOutputStream seen = new java.io.ByteArrayOutputStream();
      // Three heartbeats: about a second of a quiet stream.
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (seen.toString(java.nio.charset.StandardCharsets.US_ASCII).split("\n:\n", -1).length < 4) {
        assertTrue(System.nanoTime() < deadline, "three heartbeats within 10 s: " + seen);
        int b = socket.getInputStream().read();
        assertTrue(b >= 0, "the stream ended: " + seen);
        seen.write(b);
      }
      String stream = seen.toString(java.nio.charset.StandardCharsets.US_ASCII);
      assertTrue(stream.startsWith("HTTP/1.1 200") && stream.toLowerCase(java.util.Locale.ROOT).contains("content-type: text/event-stream"), stream);
      assertTrue(!stream.contains("data:"), "no event on a quiet stream: " + stream);
    }
  }

  /**
   * Every stream of a node shares its stop signal and its live read; one that ended must leave
   * nothing of itself held by either (a subscriber reconnecting all day must not grow the heap: on
   * a quiet node each held about 25 KB), and the signal still ends the streams open when the node
   * stops.
   */
  @Test
  void anEndedStreamIsNotKeptByTheNodesStopSignal() throws Exception {
    try (TestNode node = TestNode.start(dataDir, java.util.Map.of("profile.model.enabled", "off"))) {
      var system = node.node.system();
      var feed = dev.profileengine.engine.changes.ChangeFeed.get(system);
      var limits = new ChangeSubscription.Limits(100, Duration.ofSeconds(60));
      var stopping = new ChangeSubscription.Stopping();
      java.lang.ref.WeakReference<Object> ended = subscribeAndCancel(feed, limits, stopping, system);
      for (int i = 0; i < 49; i++) subscribeAndCancel(feed, limits, stopping, system);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (ended.get() != null || feed.liveSubscribers() > 0) {
        assertTrue(System.nanoTime() < deadline, "ended streams are still held after 30 s: the first reachable " + (ended.get() != null)
            + ", attached to the live read " + feed.liveSubscribers());
        System.gc();
        Thread.sleep(50); // between collections; the loop ends at the deadline
      }
      var open = ChangeSubscription.of(feed, 0, Set.of(), c -> true, limits, new ProfileMetrics(), stopping)
          .runWith(akka.stream.javadsl.Sink.queue(), system);
      assertEquals(200, node.send("POST", "/v1/events", TestEvents.recent("k", 1, "view", "u1")).statusCode());
      take(open, 1, new java.util.HashSet<>()); // running, its close to come is asked for when it stops
      stopping.stop();
      var item = open.pull().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
      assertTrue(item.isPresent() && item.get() instanceof ChangeSubscription.Closed c && c.reason().startsWith("shutting_down"), "closed: " + item);
      assertTrue(open.pull().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS).isEmpty(), "nothing after the close");
    }
  }

  /** Opens a stream with a filter of its own and cancels it; the filter, held by the stream alone, is returned weakly. */
  private static java.lang.ref.WeakReference<Object> subscribeAndCancel(dev.profileengine.engine.changes.ChangeFeed feed, ChangeSubscription.Limits limits,
                                                                        ChangeSubscription.Stopping stopping, akka.actor.typed.ActorSystem<?> system) {
    java.util.function.Predicate<dev.profileengine.engine.changes.ChangeFeed.ProfileChanged> filter = new java.util.function.Predicate<>() {
      @Override
      public boolean test(dev.profileengine.engine.changes.ChangeFeed.ProfileChanged c) {
        return true;
      }
    };
    ChangeSubscription.of(feed, 0, Set.of(), filter, limits, new ProfileMetrics(), stopping)
        .runWith(akka.stream.javadsl.Sink.queue(), system).cancel();
    return new java.lang.ref.WeakReference<>(filter);
  }

  private static void take(akka.stream.javadsl.SinkQueueWithCancel<ChangeSubscription.Item> q, int count, Set<String> seen) throws Exception {
    for (int i = 0; i < count; i++) {
      var item = q.pull().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
      assertTrue(item.isPresent() && item.get() instanceof ChangeSubscription.Change, "a change: " + item);
      record(((ChangeSubscription.Change) item.get()).change(), seen);
    }
  }

  /** Records an event notification's id; one seen twice fails the test. */
  private static void record(dev.profileengine.engine.changes.ChangeFeed.ProfileChanged c, Set<String> seen) {
    if (c.cause().equals("event")) assertTrue(seen.add(c.eventIds().get(0)), "delivered twice: " + c.eventIds());
  }

  /**
   * A live subscriber learns of a new event as soon as the node commits it, not at the next poll:
   * with the poll for other writers' rows set to 60 s, each of 20 events sent one after the other
   * (each after the previous arrived) reaches the SSE subscriber within 2 s of its acknowledgement.
   */
  @Test
  void aCommittedEventReachesLiveSubscribersWithoutWaitingForAPoll() throws Exception {
    try (TestNode node = TestNode.start(dataDir, java.util.Map.of("profile.model.enabled", "off", "profile.changes.live-poll", "60s"));
         SseClient sse = new SseClient(node.base.resolve("/v1/changes"), null)) {
      assertEquals(200, sse.status);
      long[] last = {0};
      assertEquals(200, node.send("POST", "/v1/events", TestEvents.recent("w", 1, "view", "a")).statusCode());
      take(sse, 1, last); // by the catch-up or the live read: the subscriber is live from here
      List<Long> lagMillis = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        assertEquals(200, node.send("POST", "/v1/events", TestEvents.recent("p" + i + "-", 1, "view", "b")).statusCode());
        long acked = System.nanoTime();
        SseClient.Event e = sse.next(Duration.ofSeconds(2));
        while (e != null && e.data().isEmpty()) e = sse.next(Duration.ofSeconds(2)); // heartbeats
        assertNotNull(e, "event " + i + " not delivered within 2 s of its acknowledgement (the poll is 60 s)");
        lagMillis.add((System.nanoTime() - acked) / 1_000_000);
        JsonNode j = Json.MAPPER.readTree(e.data());
        assertEquals("p" + i + "-0", j.get("eventIds").get(0).asText());
      }
      java.util.Collections.sort(lagMillis);
      System.out.println("ack -> SSE delivery, 20 events, idle node: p50 " + lagMillis.get(10) + " ms, max " + lagMillis.get(19) + " ms");
    }
  }

  /** {@code ?from=latest}: the history is skipped; what is journaled after the stream opened comes. */
  @Test
  void aSubscriberFromLatestGetsOnlyNewChanges() throws Exception {
    try (TestNode node = TestNode.start(dataDir, java.util.Map.of("profile.model.enabled", "off"))) {
      assertEquals(200, node.send("POST", "/v1/events", TestEvents.recent("old", 5, "view", "a")).statusCode());
      try (SseClient sse = new SseClient(node.base.resolve("/v1/changes?from=latest"), null)) {
        assertEquals(200, sse.status); // the head is read before the answer starts
        assertEquals(200, node.send("POST", "/v1/events", TestEvents.recent("new", 1, "view", "a")).statusCode());
        long[] last = {0};
        assertEquals(List.of("new0"), take(sse, 1, last));
      }
      assertEquals(400, node.get("/v1/changes?from=newest").statusCode());
    }
  }

  /** A node that stops ends its open streams with a close event naming the reason and the resume offset. */
  @Test
  void streamsEndWithACloseReasonWhenTheNodeStops() throws Exception {
    TestNode node = TestNode.start(dataDir, java.util.Map.of("profile.model.enabled", "off"));
    try (SseClient sse = new SseClient(node.base.resolve("/v1/changes"), null)) {
      assertEquals(200, node.send("POST", "/v1/events", TestEvents.recent("z", 3, "view", "a")).statusCode());
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

  /** A counter or labelled sample of the node's /metrics (0 when absent). */

  private static final String CHANGE_QUERIES = "profile_tag_queries_total{tag=\"" + dev.profileengine.engine.changes.ChangeFeed.TAG + "\"}";

  /** Sends {@code batches} batches of 50 events, 150 ms apart, to users a..e. */
  private static void trickle(TestNode node, String prefix, int batches) throws Exception {
    for (int b = 0; b < batches; b++) {
      assertEquals(200, node.send("POST", "/v1/events", TestEvents.recent(prefix + b + "-", 50, "view", "a", "b", "c", "d", "e")).statusCode());
      Thread.sleep(150);
    }
  }

  /**
   * Eight subscribers cost the journal about what one costs: one live read per node serves them
   * all (a poll per subscriber would make about eight times the tag queries). A subscriber that
   * joins from offset 0 in the middle of the ingest gets every change of both rounds once, in order.
   */
  @Test
  void oneLiveReadServesEverySubscriber() throws Exception {
    try (TestNode node = TestNode.start(dataDir, java.util.Map.of("profile.model.enabled", "off"))) {
      long[] last = {0};
      double q0;
      double q1;
      try (SseClient one = new SseClient(node.base.resolve("/v1/changes"), null)) {
        q0 = node.metric(CHANGE_QUERIES);
        trickle(node, "p", 10);
        assertEquals(500, new LinkedHashSet<>(take(one, 500, last)).size());
        q1 = node.metric(CHANGE_QUERIES) - q0;
      }
      List<SseClient> eight = new ArrayList<>();
      try {
        for (int i = 0; i < 8; i++) eight.add(new SseClient(node.base.resolve("/v1/changes?from=" + last[0]), null));
        double before = node.metric(CHANGE_QUERIES);
        Thread ingest = new Thread(() -> {
          try {
            trickle(node, "q", 10);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
        ingest.start();
        Thread.sleep(700);
        SseClient late = new SseClient(node.base.resolve("/v1/changes?from=0"), null);
        ingest.join();
        for (SseClient s : eight) {
          List<String> ids = take(s, 500, new long[] {last[0]});
          assertEquals(500, new LinkedHashSet<>(ids).size(), "every change once");
          assertTrue(ids.stream().allMatch(id -> id.startsWith("q")), "only the second round");
        }
        double q8 = node.metric(CHANGE_QUERIES) - before;
        assertTrue(q1 > 0, "one subscriber reads the journal: " + q1);
        assertTrue(q8 < 3 * q1, "eight subscribers share one live read: " + q8 + " tag queries, one subscriber " + q1);
        try (SseClient joiner = late) {
          List<String> all = take(joiner, 1000, new long[] {0});
          assertEquals(1000, new LinkedHashSet<>(all).size(), "the late joiner gets both rounds once");
        }
      } finally {
        for (SseClient s : eight) s.close();
      }
    }
  }

  /**
   * A subscriber that leaves more changes waiting than the live read-ahead (20 here) is detached
   * from the live read and catches up from the journal: it still gets every change once, in order.
   */
  @Test
  void aSubscriberThatFallsBehindTheLiveReadCatchesUpFromTheJournal() throws Exception {
    try (TestNode node = TestNode.start(dataDir, java.util.Map.of("profile.model.enabled", "off",
        "profile.changes.live-read-ahead", 20, "profile.changes.subscriber-buffer", 5))) {
      var system = node.node.system();
      var feed = dev.profileengine.engine.changes.ChangeFeed.get(system);
      var limits = new ChangeSubscription.Limits(5, Duration.ofSeconds(60));
      var slow = ChangeSubscription.of(feed, 0, Set.of(), c -> true, limits, new ProfileMetrics(), new ChangeSubscription.Stopping())
          .runWith(akka.stream.javadsl.Sink.queue(), system);
      Set<String> seen = new java.util.LinkedHashSet<>();
      assertEquals(200, node.send("POST", "/v1/events", TestEvents.recent("s", 10, "view", "a", "b")).statusCode());
      take(slow, 10, seen);
      double catchUps = node.metric("profile_change_catch_ups_total");
      for (int b = 0; b < 4; b++) assertEquals(200, node.send("POST", "/v1/events", TestEvents.recent("t" + b + "-", 500, "view", "a", "b", "c")).statusCode());
      Thread.sleep(2000); // takes nothing: the live read passes 2,000 changes, far more than 20 + 5
      take(slow, 2000, seen);
      assertEquals(2010, seen.size());
      assertTrue(node.metric("profile_change_catch_ups_total") > catchUps, "the slow subscriber caught up from the journal");
      slow.cancel();
    }
  }
}
