package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profileengine.gateway.wire.Json;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A journal write whose commit is held back on PostgreSQL: a second writer (this test's connection)
 * inserts u1's first real rows as user {@code held} (their orderings taken) and keeps the transaction
 * open while the node commits later orderings; it commits seconds later, well past the read
 * journal's former gap wait (10 x 50 ms); a third writer rolls back. Subscribers from offset 0 (SSE
 * and gRPC) must still get every journaled change exactly once and in journal order (so in each
 * user's order), and the segment read side must equal the profiles' own membership.
 */
class HeldCommitChangeStreamTest {
  /** How long the held transaction stays open once later orderings are committed: the scenario, well past a 0.5 s gap wait. */
  private static final Duration HOLD = Duration.ofSeconds(4);

  @TempDir
  Path dir;

  /** Offsets and users in the order the subscriber received them. */
  private record Received(long offset, String userId, String cause) {}

  @Test
  void aCommitHeldForSecondsIsDeliveredExactlyOnceAndReachesTheSegments() throws Exception {
    try (PostgresCluster cluster = PostgresCluster.start(dir, 1, Map.of("profile.model.enabled", "off"))) {
      EmbeddedPostgres pg = cluster.pg();
      TestNode node = cluster.node(0);
      try (Connection admin = pg.getPostgresDatabase().getConnection();
           Statement sql = admin.createStatement()) {
        List<Received> received = new CopyOnWriteArrayList<>();
        List<Long> grpcReceived = new CopyOnWriteArrayList<>();
        org.junit.jupiter.api.function.Executable streamCheck;
        try (SseClient sse = new SseClient(node.base.resolve("/v1/changes?from=0"), null);
             Connection writer = pg.getPostgresDatabase().getConnection();
             Connection rolledBack = pg.getPostgresDatabase().getConnection()) {
          assertEquals(200, sse.status);
          Thread collector = collect(sse, received);
          var grpc = TestGrpc.client(node, null);
          var grpcStream = grpc.subscribeProfileChanges(dev.profileengine.grpc.SubscribeRequest.newBuilder().setFromOffset(0).build())
              .viaMat(akka.stream.KillSwitches.<dev.profileengine.grpc.ProfileChange>single(), akka.stream.javadsl.Keep.right())
              .toMat(akka.stream.javadsl.Sink.foreach(c -> grpcReceived.add(c.getOffset())), akka.stream.javadsl.Keep.left())
              .run(node.node.system());
          // carts, so each user enters abandoned-cart
          assertEquals(200, node.send("POST", "/v1/events", TestEvents.recent("a", 4, "cart", "u1", "u2")).statusCode());

          // The held writer: u1's first rows, up to its entering the segment, copied to user `held`; inserted (orderings taken), not committed.
          insertCopyOfU1(writer, "held");
          long heldOrdering = count(sql, "SELECT last_value FROM event_journal_ordering_seq");
          // A third writer takes orderings too and rolls back: a true gap, which must not stall the stream.
          insertCopyOfU1(rolledBack, "rolled-back");
          for (int b = 0; b < 5; b++) {
            HttpResponse<String> r = node.send("POST", "/v1/events", TestEvents.recent("o" + b + "-", 20, "cart", "u1", "u2", "u3", "u4"));
            assertEquals(200, r.statusCode(), r.body());
          }
          assertTrue(count(sql, "SELECT count(*) FROM event_journal WHERE ordering > " + heldOrdering) >= 100, "later orderings are committed");
          Thread.sleep(HOLD.toMillis()); // the held transaction stays open: the point of the test
          writer.commit();
          rolledBack.rollback();
          assertEquals(200, node.send("POST", "/v1/events", TestEvents.recent("z", 4, "cart", "u1", "u2", "u3", "last")).statusCode());

          // Every profile and erasure row of the journal, in ordering order, is what the subscriber must get.
          List<Long> journal = new ArrayList<>();
          try (ResultSet rs = sql.executeQuery("SELECT ordering FROM event_journal WHERE persistence_id LIKE 'UserProfile|%' "
              + "OR persistence_id LIKE 'ErasureLog|%' ORDER BY ordering")) {
            while (rs.next()) journal.add(rs.getLong(1));
          }
          long last = journal.get(journal.size() - 1);
          awaitTrue("the subscribers reach the journal's last change " + last,
              () -> received.stream().anyMatch(r -> r.offset() >= last) && grpcReceived.stream().anyMatch(o -> o >= last));
          grpcStream.shutdown();
          grpc.close();
          List<Long> offsets = List.copyOf(received.stream().map(Received::offset).toList());
          collector.interrupt();
          long heldReceived = received.stream().filter(r -> r.userId().equals("held")).count();
          List<Long> grpcOffsets = List.copyOf(grpcReceived);
          System.out.printf("held ordering %d; journal rows %d; SSE received %d (distinct %d), the held user's %d; gRPC received %d (distinct %d)%n",
              heldOrdering, journal.size(), offsets.size(), new java.util.HashSet<>(offsets).size(), heldReceived,
              grpcOffsets.size(), new java.util.HashSet<>(grpcOffsets).size());
          streamCheck = () -> {
            List<Long> missing = new ArrayList<>(journal);
            missing.removeAll(offsets);
            assertEquals(List.of(), missing, "journaled changes the subscriber missed (held ordering " + heldOrdering + ")");
            assertEquals(journal, offsets, "every journaled change exactly once, in journal order (SSE)");
            assertEquals(journal, grpcOffsets, "every journaled change exactly once, in journal order (gRPC)");
          };
        }
        assertEquals(0, count(sql, "SELECT count(*) FROM (SELECT persistence_id FROM event_journal a WHERE EXISTS (SELECT 1 FROM event_journal b "
            + "WHERE b.persistence_id = a.persistence_id AND b.sequence_number > a.sequence_number AND b.ordering < a.ordering)) x"),
            "per user, journal order is sequence order");

        // The segment read side lists exactly the users whose profiles say they abandoned a cart.
        Set<String> expected = new TreeSet<>();
        for (String u : List.of("held", "u1", "u2", "u3", "u4", "last")) {
          HttpResponse<String> r = node.get("/v1/profiles/" + u);
          assertEquals(200, r.statusCode(), u + ": " + r.body());
          JsonNode profile = Json.MAPPER.readTree(r.body());
          assertTrue(profile.has("segments"), r.body());
          for (JsonNode s : profile.get("segments")) if (s.asText().equals("abandoned-cart")) expected.add(u);
        }
        assertTrue(expected.contains("held"), "the held user's profile is in the segment: " + expected);
        Set<String> listed = new TreeSet<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline && !listed.equals(expected)) {
          listed = node.segmentMembers("abandoned-cart", 100);
          if (!listed.equals(expected)) Thread.sleep(100);
        }
        Set<String> segmentMembers = listed;
        System.out.printf("abandoned-cart: profiles say %s; the read side lists %s%n", expected, segmentMembers);
        assertAll(streamCheck, () -> assertEquals(expected, segmentMembers, "the segment read side equals the profiles' own membership"));
      }
    }
  }

  /** Inserts u1's first rows, up to its entering the segment, as user {@code user}'s, in a transaction left open. */
  private static void insertCopyOfU1(Connection writer, String user) throws java.sql.SQLException {
    writer.setAutoCommit(false);
    try (java.sql.PreparedStatement w = writer.prepareStatement("""
        INSERT INTO event_journal (deleted, persistence_id, sequence_number, writer, write_timestamp, adapter_manifest,
                                   event_ser_id, event_ser_manifest, event_payload, meta_ser_id, meta_ser_manifest, meta_payload)
        SELECT deleted, ?, sequence_number, writer, write_timestamp, adapter_manifest,
               event_ser_id, event_ser_manifest, event_payload, meta_ser_id, meta_ser_manifest, meta_payload
        FROM event_journal WHERE persistence_id = 'UserProfile|u1' AND sequence_number <= (SELECT min(sequence_number)
          FROM event_journal WHERE persistence_id = 'UserProfile|u1' AND event_ser_manifest LIKE '%SegmentsChanged%')
        ORDER BY sequence_number""")) {
      w.setString(1, "UserProfile|" + user);
      assertTrue(w.executeUpdate() >= 2, "u1's rows up to its first segment change");
    }
  }

  private static CompletableFuture<HttpResponse<String>> postAsync(URI base, String body) {
    return HttpClient.newHttpClient().sendAsync(HttpRequest.newBuilder(base.resolve("/v1/events"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Reads the stream's changes into {@code into}; heartbeats skipped. */
  private static Thread collect(SseClient sse, List<Received> into) {
    Thread t = new Thread(() -> {
      try {
        while (!Thread.currentThread().isInterrupted()) {
          SseClient.Event e = sse.next(Duration.ofSeconds(1));
          if (e == null || e.data().isEmpty() || !"profile-changed".equals(e.type())) continue;
          JsonNode j = Json.MAPPER.readTree(e.data());
          into.add(new Received(Long.parseLong(e.id()), j.get("userId").asText(), j.get("cause").asText()));
        }
      } catch (InterruptedException done) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, "held-commit-collector");
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static long count(Statement sql, String query) throws java.sql.SQLException {
    try (ResultSet rs = sql.executeQuery(query)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private interface Check {
    boolean holds() throws Exception;
  }

  /** Polls {@code check} every 100 ms for up to 30 s. */
  private static void awaitTrue(String what, Check check) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!check.holds()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out: " + what);
      Thread.sleep(100);
    }
  }
}
