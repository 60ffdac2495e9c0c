package dev.profileengine.cluster;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A journal writer outside the cluster whose commit is held back: it copies one journaled user's
 * rows, up to and including that user's first segment change, to a new profile, takes their
 * orderings, and keeps the transaction open until {@link #commit()} (or {@link #rollback()}) while
 * the nodes commit later orderings around it.
 */
final class HeldJournalWrite implements AutoCloseable {
  private final Connection connection;
  /** The new profile's user id. */
  final String userId;
  /** The profile copied. */
  final String sourceUserId;
  /** Rows inserted (and not yet committed). */
  final int rows;
  /** The highest ordering the open transaction took. */
  final long lastOrdering;

  private HeldJournalWrite(Connection connection, String userId, String sourceUserId, int rows, long lastOrdering) {
    this.connection = connection;
    this.userId = userId;
    this.sourceUserId = sourceUserId;
    this.rows = rows;
    this.lastOrdering = lastOrdering;
  }

  /** Opens the transaction and inserts the copy as {@code userId}; fails if no profile has entered a segment yet. */
  static HeldJournalWrite open(String jdbcUrl, String userId) throws SQLException {
    Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "");
    try {
      String source;
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
          "SELECT persistence_id FROM event_journal WHERE persistence_id LIKE 'UserProfile|%' "
              + "AND event_ser_manifest LIKE '%SegmentsChanged%' ORDER BY ordering LIMIT 1")) {
        if (!rs.next()) throw new IllegalStateException("no profile has entered a segment yet");
        source = rs.getString(1);
      }
      c.setAutoCommit(false);
      int rows;
      try (PreparedStatement w = c.prepareStatement("""
          INSERT INTO event_journal (deleted, persistence_id, sequence_number, writer, write_timestamp, adapter_manifest,
                                     event_ser_id, event_ser_manifest, event_payload, meta_ser_id, meta_ser_manifest, meta_payload)
          SELECT deleted, ?, sequence_number, writer, write_timestamp, adapter_manifest,
                 event_ser_id, event_ser_manifest, event_payload, meta_ser_id, meta_ser_manifest, meta_payload
          FROM event_journal WHERE persistence_id = ? AND sequence_number <= (SELECT min(sequence_number)
            FROM event_journal WHERE persistence_id = ? AND event_ser_manifest LIKE '%SegmentsChanged%')
          ORDER BY sequence_number""")) {
        w.setString(1, "UserProfile|" + userId);
        w.setString(2, source);
        w.setString(3, source);
        rows = w.executeUpdate();
      }
      long last;
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
          "SELECT max(ordering) FROM event_journal WHERE persistence_id = 'UserProfile|" + userId.replace("'", "''") + "'")) {
        rs.next();
        last = rs.getLong(1);
      }
      return new HeldJournalWrite(c, userId, source.substring(source.indexOf('|') + 1), rows, last);
    } catch (SQLException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  void commit() throws SQLException {
    connection.commit();
  }

  void rollback() throws SQLException {
    connection.rollback();
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
