package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.persistence.jdbc.db.SlickExtension;
import akka.persistence.jdbc.db.SlickExtensionImpl;
import dev.profileengine.engine.journal.JournalDatabase;
import dev.profileengine.gateway.wire.Json;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read side (read journal, readiness probe, segment queries) has its own pool on the journal's
 * H2 file: it sees what the writers commit, and with every read connection taken, writes go on.
 */
class ReadPoolTest {
  @TempDir
  Path dataDir;

  @Test
  void readsHaveTheirOwnPoolOnTheSameDatabase() throws Exception {
    try (TestNode node = TestNode.start(dataDir)) {
      var system = node.node.system();
      SlickExtensionImpl slick = (SlickExtensionImpl) SlickExtension.get(system.classicSystem());
      var config = system.settings().config();
      assertNotSame(slick.database(config.getConfig("jdbc-journal")).database(),
          slick.database(config.getConfig("jdbc-read-journal")).database(), "two pools");

      String event = "{\"eventId\":\"p1\",\"userId\":\"pool-u\",\"type\":\"view\",\"timestamp\":\"" + Instant.now().minusSeconds(9) + "\"}";
      assertEquals(200, node.send("POST", "/v1/events", event).statusCode());
      // every read connection taken (and the reads see the writers' commits: one H2 engine per file)
      int readPool = config.getInt("profile.journal.read-max-connections");
      List<Connection> held = new ArrayList<>();
      try {
        for (int i = 0; i < readPool; i++) held.add(JournalDatabase.reads(system).connection());
        try (ResultSet rs = held.get(0).createStatement().executeQuery("SELECT COUNT(*) FROM \"event_journal\" WHERE \"persistence_id\" LIKE '%pool-u'")) {
          assertTrue(rs.next());
          assertTrue(rs.getLong(1) >= 1, "the event (and whatever it led to, e.g. a prediction) is visible to the read pool");
        }
        long start = System.nanoTime();
        String second = event.replace("p1", "p2");
        HttpResponse<String> r = node.send("POST", "/v1/events", second);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(1, Json.MAPPER.readTree(r.body()).get("accepted").asLong(), r.body());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos(), "writes do not wait for read connections");
      } finally {
        for (Connection c : held) c.close();
      }
      HttpResponse<String> p = node.get("/v1/profiles/pool-u");
      assertEquals(2, Json.MAPPER.readTree(p.body()).get("eventCount").asLong(), p.body());
    }
  }
}
