package dev.profileengine.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The change feed's tag query on a real H2 journal of the engine's schema (PostgreSQL:
 * api-gateway's PostgresTagQueryPlanTest): it returns exactly the
 * tagged rows of the requested ordering range, in order, and H2 reads about that range, not the
 * whole journal (the plugin's own form of the query scanned every tag row per poll).
 */
class TagRangeReadJournalDaoTest {
  @TempDir
  Path dir;

  private static final int ROWS = 6_000;

  @Test
  void theTagQueryReadsItsRangeNotTheJournal() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + dir.resolve("journal"), "sa", "")) {
      try (Statement st = c.createStatement(); var in = ProfileEngine.class.getResourceAsStream("/schema/h2-journal.sql")) {
        for (String ddl : new String(in.readAllBytes(), StandardCharsets.UTF_8).replaceAll("(?m)^--.*$", "").split(";")) {
          if (!ddl.isBlank()) st.execute(ddl);
        }
      }
      try (PreparedStatement journal = c.prepareStatement("INSERT INTO \"event_journal\" (\"persistence_id\", \"sequence_number\", \"writer\", "
          + "\"write_timestamp\", \"adapter_manifest\", \"event_payload\", \"event_ser_id\", \"event_ser_manifest\") VALUES (?, ?, 'w', 0, '', ?, 33, 'm')");
           PreparedStatement tag = c.prepareStatement("INSERT INTO \"event_tag\" (\"event_id\", \"tag\") VALUES (?, ?)")) {
        for (int i = 1; i <= ROWS; i++) {
          journal.setString(1, "UserProfile|u" + (i % 997));
          journal.setLong(2, i);
          journal.setBytes(3, new byte[] {(byte) i});
          journal.executeUpdate();
          tag.setLong(1, i);
          tag.setString(2, ChangeFeed.TAG);
          tag.executeUpdate();
          if (i % 10 == 0) { // every tenth row also carries the segment tag
            tag.setString(2, ChangeFeed.SEGMENT_TAG);
            tag.executeUpdate();
          }
        }
      }
      try (Statement st = c.createStatement()) {
        st.execute("ANALYZE");
      }

      assertEquals(range(4001, 4500), orderings(c, ChangeFeed.TAG, 4000, 4500, 500));
      assertEquals(range(4001, 4100), orderings(c, ChangeFeed.TAG, 4000, ROWS, 100), "the limit applies");
      List<Long> segments = orderings(c, ChangeFeed.SEGMENT_TAG, 4000, 4500, 500);
      assertEquals(50, segments.size());
      assertTrue(segments.stream().allMatch(o -> o % 10 == 0), segments.toString());

      long scanned = scanned(c, ChangeFeed.TAG, 4000, 4500, 500);
      assertTrue(scanned <= 2_000, "a 500-row page of a " + ROWS + "-row journal scanned " + scanned + " rows");
    }
  }

  private static List<Long> range(long from, long to) {
    List<Long> r = new ArrayList<>();
    for (long i = from; i <= to; i++) r.add(i);
    return r;
  }

  private static List<Long> orderings(Connection c, String tag, long offset, long maxOffset, long max) throws Exception {
    List<Long> found = new ArrayList<>();
    try (PreparedStatement st = c.prepareStatement(TagRangeReadJournalDao.EVENTS_BY_TAG)) {
      TagRangeReadJournalDao.bind(st, tag, offset, maxOffset, max);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) found.add(rs.getLong(1));
      }
    }
    return found;
  }

  /** The rows H2 read for the query: the sum of EXPLAIN ANALYZE's scan counts. */
  private static long scanned(Connection c, String tag, long offset, long maxOffset, long max) throws Exception {
    try (PreparedStatement st = c.prepareStatement("EXPLAIN ANALYZE " + TagRangeReadJournalDao.EVENTS_BY_TAG)) {
      TagRangeReadJournalDao.bind(st, tag, offset, maxOffset, max);
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        String plan = rs.getString(1);
        Matcher m = Pattern.compile("scanCount: (\\d+)").matcher(plan);
        long total = 0;
        int tables = 0;
        while (m.find()) {
          total += Long.parseLong(m.group(1));
          tables++;
        }
        assertEquals(2, tables, plan);
        return total;
      }
    }
  }
}
