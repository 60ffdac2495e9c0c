package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profileengine.gateway.wire.Json;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Forget on a PostgreSQL journal: the tombstone JournalEraser inserts in the erasure's transaction
 * is a row the plugin recovers, so a retried old batch is refused {@code forgotten} there too.
 */
class PostgresForgetTest {
  @TempDir
  Path dir;

  @Test
  void theTombstoneIsTheOnlyRowLeftAndRefusesAnOldBatch() throws Exception {
    try (PostgresCluster cluster = PostgresCluster.start(dir, 1)) {
      TestNode node = cluster.node(0);
      long t = System.currentTimeMillis() - 10_000;
      String batch = "[{\"eventId\":\"pg1\",\"userId\":\"pg-bob\",\"type\":\"view\",\"timestamp\":" + t + "}]";
      assertEquals(200, node.send("POST", "/v1/events", batch).statusCode());
      assertEquals(200, node.send("PUT", "/v1/profiles/pg-bob/attributes", "{\"email\":\"bob@example.com\"}").statusCode());
      assertEquals(200, node.send("PUT", "/v1/profiles/pg-bob/attributes", "{\"email\":null}").statusCode());

      HttpResponse<String> forget = node.send("DELETE", "/v1/profiles/pg-bob", "");
      assertEquals(200, forget.statusCode(), forget.body());
      try (Connection c = cluster.pg().getPostgresDatabase().getConnection();
           PreparedStatement st = c.prepareStatement("SELECT event_ser_manifest FROM event_journal WHERE persistence_id = ?")) {
        st.setString(1, "UserProfile|pg-bob");
        try (ResultSet rs = st.executeQuery()) {
          rs.next();
          assertEquals("profile.Forgotten#1", rs.getString(1), "the tombstone's stable manifest");
          assertFalse(rs.next(), "the tombstone is the only row");
        }
      }
      JsonNode retried = Json.MAPPER.readTree(node.send("POST", "/v1/events", batch).body());
      assertEquals("forgotten", retried.at("/results/0/status").asText(), retried.toString());
      HttpResponse<String> export = node.get("/v1/profiles/pg-bob/export");
      assertEquals(404, export.statusCode(), export.body());
    }
  }
}
