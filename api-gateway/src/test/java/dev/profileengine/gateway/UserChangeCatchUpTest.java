package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profileengine.engine.changes.UsersTag;
import dev.profileengine.gateway.wire.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A subscription that names a few users catches up from their own journal rows (their profiles'
 * and their erasure-log buckets'), not from a scan of every change since its offset: on a journal
 * of 20,000 other users' rows it reads a handful, delivers the users' earlier changes exactly once
 * and in order (the same ones the whole-tag catch-up delivers), erasures included, then joins the
 * live read with no gap.
 */
class UserChangeCatchUpTest {
  @TempDir
  Path dataDir;

  private static final int BATCHES = 40;
  private static final int BATCH = 500;
  /** The 50 other users whose rows fill the journal. */
  private static final String[] OTHERS = java.util.stream.IntStream.range(0, 50).mapToObj(i -> "o" + i).toArray(String[]::new);

  /** One notification: what the subscriber saw, compared between the two catch-up paths. */
  private record Seen(long offset, String userId, String cause, String eventId) {}

  private static String one(String eventId, String user, long t) {
    return "[{\"eventId\":\"" + eventId + "\",\"userId\":\"" + user + "\",\"type\":\"cart\",\"timestamp\":" + t + ",\"categoryId\":\"c1\"}]";
  }

  @Test
  void aFewUsersCatchUpFromTheirOwnRowsExactlyOnceAndInOrder() throws Exception {
    try (TestNode node = TestNode.start(dataDir, Map.of("profile.model.enabled", "off"))) {
      long t = Instant.now().minusSeconds(3600).toEpochMilli();
      List<String> mine = new ArrayList<>();
      assertEquals(200, node.send("POST", "/v1/events", one("gone-0", "gone", t)).statusCode());
      assertEquals(200, node.send("POST", "/v1/events", one("gone-1", "gone", t + 1)).statusCode());
      for (int b = 0; b < BATCHES; b++) {
        if (b % 10 == 5) {
          String id = "me-" + b;
          assertEquals(200, node.send("POST", "/v1/events", one(id, "me", t + b)).statusCode());
          mine.add(id);
        }
        assertEquals(200, node.send("POST", "/v1/events", TestEvents.batch("o" + b + "-", BATCH, "view", t + b * BATCH, OTHERS)).statusCode());
      }
      assertEquals(200, node.send("DELETE", "/v1/profiles/gone", "").statusCode());

      // The per-user path: the catch-up reads these users' rows only.
      double usersRows = node.metric("profile_tag_rows_read_total{tag=\"" + UsersTag.PREFIX + "\"}");
      List<Seen> perUser = subscribeThenSend(node, 0, "userId=me&userId=gone", "me-live-1", t + 100_000, "per-user catch-up");
      double rowsRead = node.metric("profile_tag_rows_read_total{tag=\"" + UsersTag.PREFIX + "\"}") - usersRows;
      assertTrue(rowsRead > 0 && rowsRead < 200, "the catch-up read these users' rows, not the journal's " + BATCHES * BATCH + ": " + rowsRead);

      List<String> expected = new ArrayList<>(mine);
      expected.add("me-live-1");
      assertEquals(expected, perUser.stream().filter(s -> s.userId().equals("me") && s.cause().equals("event")).map(Seen::eventId).toList(),
          "me's changes once, in order, then the live one");
      assertEquals(List.of("forgotten", "forgotten"), perUser.stream().filter(s -> s.userId().equals("gone")).map(Seen::cause).toList(),
          "gone's erasure (log and tombstone), from its erasure bucket's rows");

      // Today's path for more users than UsersTag.MAX_USERS: the whole change tag, filtered. It
      // delivers the same changes up to the first live event, then the second.
      StringBuilder many = new StringBuilder("userId=me&userId=gone");
      for (int i = 0; i < UsersTag.MAX_USERS; i++) many.append("&userId=n").append(i);
      List<Seen> wholeTag = subscribeThenSend(node, 0, many.toString(), "me-live-2", t + 100_001, "whole-tag catch-up");
      assertEquals(perUser, wholeTag.subList(0, perUser.size()), "both catch-ups deliver the same changes");
      assertEquals("me-live-2", wholeTag.get(wholeTag.size() - 1).eventId());

      // Resumed from an offset kept: the rest once, no gap.
      long kept = perUser.stream().filter(s -> mine.get(1).equals(s.eventId())).findFirst().orElseThrow().offset();
      List<Seen> resumed = subscribeThenSend(node, kept, "userId=me", "me-live-3", t + 100_002, "resumed per-user catch-up");
      List<String> rest = new ArrayList<>(mine.subList(2, mine.size()));
      rest.addAll(List.of("me-live-1", "me-live-2", "me-live-3"));
      assertEquals(rest, resumed.stream().filter(s -> s.cause().equals("event")).map(Seen::eventId).toList());
      assertTrue(resumed.get(0).offset() > kept, "nothing at or before the offset kept");
    }
  }

  /**
   * Subscribes from offset {@code from}, sends one event for {@code me} once the stream is open, and reads
   * notifications until that event's; prints the time from its acknowledgement to its arrival.
   */
  private static List<Seen> subscribeThenSend(TestNode node, long from, String users, String eventId, long t, String label) throws Exception {
    List<Seen> seen = new ArrayList<>();
    try (SseClient sse = new SseClient(node.base.resolve("/v1/changes?from=" + from + "&" + users), null)) {
      assertEquals(200, sse.status);
      assertEquals(200, node.send("POST", "/v1/events", one(eventId, "me", t)).statusCode());
      long acked = System.nanoTime();
      while (true) {
        SseClient.Event e = sse.next(Duration.ofSeconds(60));
        assertNotNull(e, eventId + " did not arrive; seen " + seen);
        if (e.data().isEmpty() || !"profile-changed".equals(e.type())) continue; // heartbeat
        JsonNode j = Json.MAPPER.readTree(e.data());
        JsonNode ids = j.get("eventIds");
        Seen s = new Seen(j.get("offset").asLong(), j.get("userId").asText(), j.get("cause").asText(),
            ids == null || ids.isEmpty() ? null : ids.get(0).asText());
        if (!seen.isEmpty()) assertTrue(s.offset() > seen.get(seen.size() - 1).offset(), "offsets increase: " + s + " after " + seen);
        seen.add(s);
        if (eventId.equals(s.eventId())) break;
      }
      System.out.printf("%s on a journal of %,d other rows: live event %d ms after its acknowledgement%n",
          label, BATCHES * BATCH, Duration.ofNanos(System.nanoTime() - acked).toMillis());
      return seen;
    }
  }

  /** A counter or labelled sample of the node's /metrics (0 when absent). */
}
