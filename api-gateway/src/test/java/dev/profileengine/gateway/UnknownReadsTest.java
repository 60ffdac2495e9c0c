package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.typed.javadsl.Adapter;
import dev.profileengine.engine.journal.KnownPersistenceIds;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads of ids the embedded H2 journal certainly holds nothing for are answered 404 by the node's
 * filter of known ids, without starting an entity; ids with rows (written, or forgotten: the
 * tombstone) are read from their entity as before, also after a restart reloads the filter.
 */
class UnknownReadsTest {
  @TempDir
  Path dataDir;

  @Test
  void unknownIdsAreNotFoundWithoutAnEntityAndWrittenOnesNeverAre() throws Exception {
    try (TestNode node = TestNode.start(dataDir)) {
      assertEquals(200, post(node, "written", "w1").statusCode());
      assertEquals(200, post(node, "forgotten", "f1").statusCode());
      loaded(node);
      assertEquals(200, node.send("DELETE", "/v1/profiles/forgotten", "").statusCode());

      String before = node.get("/metrics").body();
      for (int i = 0; i < 20; i++) {
        assertEquals(404, node.get("/v1/profiles/never-" + i).statusCode());
        assertEquals(404, node.get("/v1/profiles/never-" + i + "/recommendations").statusCode());
      }
      String after = node.get("/metrics").body();
      assertEquals(metric(before, "profile_active_entities"), metric(after, "profile_active_entities"), "no entity started");
      assertEquals(metric(before, "profile_journal_recovery_queries_skipped_total"),
          metric(after, "profile_journal_recovery_queries_skipped_total"), "no recovery ran");
      assertEquals(metric(before, "profile_reads_total{source=\"unknown\"}") + 40, metric(after, "profile_reads_total{source=\"unknown\"}"));

      assertEquals(200, node.get("/v1/profiles/written").statusCode());
      double fromEntity = metric(after, "profile_reads_total{source=\"entity\"}");
      assertEquals(404, node.get("/v1/profiles/forgotten").statusCode(), "forgotten: the tombstone, as before");
      assertEquals(fromEntity + 1, metric(node.get("/metrics").body(), "profile_reads_total{source=\"entity\"}"), "asked of its entity");
      readsAfterEachAcknowledgedWriteFindTheProfile(node);
    }

    // A restart: the filter is read back from the journal; no entity is alive, so reads of written ids reach the filter.
    try (TestNode node = TestNode.start(dataDir)) {
      assertEquals(404, node.get("/v1/profiles/before-the-filter").statusCode(), "an entity, or the filter if the journal started already");
      loaded(node);
      assertEquals(200, node.get("/v1/profiles/written").statusCode());
      for (int u = 0; u < 40; u++) assertEquals(200, node.get("/v1/profiles/acked-" + u).statusCode(), "acked-" + u);
      double unknown = metric(node.get("/metrics").body(), "profile_reads_total{source=\"unknown\"}");
      assertEquals(404, node.get("/v1/profiles/forgotten").statusCode());
      assertEquals(404, node.get("/v1/profiles/never-after-restart").statusCode());
      assertEquals(unknown + 1, metric(node.get("/metrics").body(), "profile_reads_total{source=\"unknown\"}"), "only the never-written id");
    }
  }

  /** New users, each read by 4 threads while its first event is in flight: any answer before the ack, 200 from it on. */
  private static void readsAfterEachAcknowledgedWriteFindTheProfile(TestNode node) throws Exception {
    ExecutorService readers = Executors.newFixedThreadPool(4);
    try {
      for (int u = 0; u < 40; u++) {
        String user = "acked-" + u;
        List<Future<Integer>> racing = new ArrayList<>();
        for (int t = 0; t < 4; t++) racing.add(readers.submit(() -> node.get("/v1/profiles/" + user).statusCode()));
        assertEquals(200, post(node, user, "a" + u).statusCode());
        for (Future<Integer> r : racing) {
          int status = r.get();
          assertEquals(true, status == 200 || status == 404, user + ": " + status);
        }
        assertEquals(200, node.get("/v1/profiles/" + user).statusCode(), user + " after its write was acknowledged");
      }
    } finally {
      readers.shutdownNow();
    }
  }

  private static HttpResponse<String> post(TestNode node, String user, String eventId) throws Exception {
    return node.send("POST", "/v1/events", "{\"eventId\":\"" + eventId + "\",\"userId\":\"" + user + "\",\"type\":\"view\",\"timestamp\":\""
        + Instant.now().minusSeconds(5) + "\",\"categoryId\":\"c1\"}");
  }

  /** Waits until the node's filter has read both tables (the journal is started by then). */
  private static void loaded(TestNode node) throws Exception {
    KnownPersistenceIds.get(Adapter.toClassic(node.node.system())).loaded().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static double metric(String text, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+-]+)$").matcher(text);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }
}
