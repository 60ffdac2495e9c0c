package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.profileengine.engine.changes.ChangeFeed;
import dev.profileengine.engine.changes.DerivedTagReadJournalDao.DerivedTag;
import dev.profileengine.engine.changes.DerivedTagReadJournalDao;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The change feed's query on a real PostgreSQL with akka-persistence-jdbc's schema: the engine's
 * derived tag ({@link DerivedTagReadJournalDao}) returns a page in ordering order and reads it
 * through the ordering index, where the plugin's own tag query (printed for comparison, over the
 * tag rows that journals written before still have) hash-joins a sequential scan of every tag row.
 */
class PostgresTagQueryPlanTest {
  @TempDir
  static Path dir;

  private static final int ROWS = 30_000;
  private static final DerivedTag CHANGES = DerivedTagReadJournalDao.engineTags("m").get(ChangeFeed.TAG);
  private static final String PLUGIN_EVENTS_BY_TAG = """
      select x2.x3, x2.x5, x2.x6, x2.x10 from (select "ordering" as x3, "persistence_id" as x5, "sequence_number" as x6,
        "event_payload" as x10, "deleted" as x4 from "event_journal" where "deleted" = false) x2, "event_tag" x16
      where ((x16."tag" = ?) and ((x2.x3 > ?) and (x2.x3 <= ?))) and (x2.x3 = x16."event_id") order by x2.x3 limit ?""";

  @Test
  void theTagQueryReadsItsRangeThroughTheIndexes() throws Exception {
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(dir.resolve("pg")).setCleanDataDirectory(true).start();
         Connection c = pg.getPostgresDatabase().getConnection()) {
      try (Statement st = c.createStatement(); var in = getClass().getResourceAsStream("/schema/postgres/postgres-create-schema.sql")) {
        for (String ddl : new String(in.readAllBytes(), StandardCharsets.UTF_8).split(";")) {
          if (!ddl.isBlank()) st.execute(ddl);
        }
      }
      c.setAutoCommit(false);
      try (PreparedStatement journal = c.prepareStatement("INSERT INTO event_journal (ordering, persistence_id, sequence_number, writer, "
          + "write_timestamp, adapter_manifest, event_ser_id, event_ser_manifest, event_payload) VALUES (?, ?, ?, 'w', 0, '', 33, 'm', ?)");
           PreparedStatement tag = c.prepareStatement("INSERT INTO event_tag (event_id, tag) VALUES (?, ?)")) {
        for (int i = 1; i <= ROWS; i++) {
          journal.setLong(1, i);
          journal.setString(2, "UserProfile|u" + (i % 4999));
          journal.setLong(3, i);
          journal.setBytes(4, new byte[] {(byte) i});
          journal.addBatch();
          tag.setLong(1, i);
          tag.setString(2, "profile-change");
          tag.addBatch();
          if (i % 10 == 0) {
            tag.setLong(1, i);
            tag.setString(2, "segment-change");
            tag.addBatch();
          }
          if (i % 5_000 == 0) {
            journal.executeBatch();
            tag.executeBatch();
          }
        }
      }
      c.commit();
      c.setAutoCommit(true);
      try (Statement st = c.createStatement()) {
        st.execute("ANALYZE");
      }

      System.out.println("PostgreSQL plan of the plugin's eventsByTag (500 of " + ROWS + " rows):\n" + plan(c, PLUGIN_EVENTS_BY_TAG, false));
      String plan = plan(c, CHANGES.query(), true);
      System.out.println("PostgreSQL plan of the engine's eventsByTag:\n" + plan);
      assertFalse(plan.contains("Seq Scan"), "a 500-row page must not scan a table:\n" + plan);

      int rows = 0;
      try (PreparedStatement st = c.prepareStatement(CHANGES.query())) {
        CHANGES.bind(st, 20_000, 20_500, 500);
        try (ResultSet rs = st.executeQuery()) {
          long last = 20_000;
          while (rs.next()) {
            assertEquals(last + 1, rs.getLong(1), "in ordering order, none skipped");
            last = rs.getLong(1);
            rows++;
          }
        }
      }
      assertEquals(500, rows);
    }
  }

  private static String plan(Connection c, String query, boolean engines) throws Exception {
    StringBuilder plan = new StringBuilder();
    try (PreparedStatement st = c.prepareStatement("EXPLAIN (ANALYZE, COSTS OFF) " + query)) {
      if (engines) CHANGES.bind(st, 20_000, 20_500, 500);
      else bindPlugin(st);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) plan.append(rs.getString(1)).append('\n');
      }
    }
    return plan.toString();
  }

  private static void bindPlugin(PreparedStatement st) throws Exception {
    st.setString(1, "profile-change");
    st.setLong(2, 20_000);
    st.setLong(3, 20_500);
    st.setLong(4, 500);
  }
}
