package dev.profileengine.cluster;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** What the journal in PostgreSQL holds, read straight from its table: the truth the subscribers are compared with. */
final class JournalRows {
  /** One change-stream row: its ordering (the change's offset) and whose it is. */
  record Row(long ordering, String persistenceId, long sequenceNumber) {}

  private JournalRows() {}

  /** Every profile and erasure-log row, in ordering order: exactly what a subscriber from offset 0 must receive. */
  static List<Row> changes(String jdbcUrl) throws SQLException {
    List<Row> rows = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", ""); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT ordering, persistence_id, sequence_number FROM event_journal "
             + "WHERE persistence_id LIKE 'UserProfile|%' OR persistence_id LIKE 'ErasureLog|%' ORDER BY ordering")) {
      while (rs.next()) rows.add(new Row(rs.getLong(1), rs.getString(2), rs.getLong(3)));
    }
    return rows;
  }

  /** Persistence ids with a row journaled after a later sequence number of theirs (0 when each one's ordering follows its sequence). */
  static long outOfSequence(String jdbcUrl) throws SQLException {
    try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", ""); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT count(DISTINCT a.persistence_id) FROM event_journal a JOIN event_journal b "
             + "ON b.persistence_id = a.persistence_id AND b.sequence_number > a.sequence_number AND b.ordering < a.ordering")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Committed rows per profile (user id -> rows). */
  static Map<String, Long> perUser(String jdbcUrl) throws SQLException {
    Map<String, Long> m = new HashMap<>();
    try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", ""); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT persistence_id, count(*) FROM event_journal WHERE persistence_id LIKE 'UserProfile|%' "
             + "GROUP BY persistence_id")) {
      while (rs.next()) m.put(rs.getString(1).substring("UserProfile|".length()), rs.getLong(2));
    }
    return m;
  }

  /** The ordering sequence's last value handed out (committed or not). */
  static long orderingsTaken(String jdbcUrl) throws SQLException {
    try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", ""); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT last_value FROM event_journal_ordering_seq")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Committed rows with an ordering above {@code ordering}. */
  static long committedAbove(String jdbcUrl, long ordering) throws SQLException {
    try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", ""); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT count(*) FROM event_journal WHERE ordering > " + ordering)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /**
   * Profiles (user ids) whose latest identity step in the journal is a merge or split started and
   * not ended ({@code MergeStarted} or {@code SplitStarted} without a later {@code MergedInto},
   * {@code SplitOff} or {@code LinkCancelled}): steps a crash leaves for recovery to finish.
   */
  static Set<String> pendingLinks(Connection c) throws SQLException {
    Set<String> pending = new TreeSet<>();
    try (Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT persistence_id FROM (SELECT DISTINCT ON (persistence_id) persistence_id, "
             + "split_part(event_ser_manifest, '#', 1) AS step FROM event_journal WHERE persistence_id LIKE 'UserProfile|%' "
             + "AND split_part(event_ser_manifest, '#', 1) IN ('profile.MergeStarted', 'profile.MergedInto', 'profile.LinkCancelled', "
             + "'profile.SplitStarted', 'profile.SplitOff') ORDER BY persistence_id, sequence_number DESC) latest "
             + "WHERE step IN ('profile.MergeStarted', 'profile.SplitStarted')")) {
      while (rs.next()) pending.add(rs.getString(1).substring("UserProfile|".length()));
    }
    return pending;
  }

  /** Rows journaled per identity step type (manifest name without its version), e.g. how many profiles merged. */
  static Map<String, Long> identitySteps(Connection c) throws SQLException {
    Map<String, Long> m = new java.util.TreeMap<>();
    try (Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT split_part(event_ser_manifest, '#', 1), count(*) FROM event_journal "
             + "WHERE persistence_id LIKE 'UserProfile|%' AND split_part(event_ser_manifest, '#', 1) IN ('profile.MergeStarted', "
             + "'profile.MergedInto', 'profile.LinkCancelled', 'profile.Absorbed', 'profile.SplitStarted', 'profile.SplitOff', "
             + "'profile.Restored') GROUP BY 1")) {
      while (rs.next()) m.put(rs.getString(1).substring("profile.".length()), rs.getLong(2));
    }
    return m;
  }
}
