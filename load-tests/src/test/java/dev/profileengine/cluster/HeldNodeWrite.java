package dev.profileengine.cluster;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Holds back a node's own journal commit: a row inserted, in a transaction left open, at the next
 * sequence number of one of the node's profiles makes the node's next insert for that profile wait
 * on the unique key (PostgreSQL must know whether this row commits), so the node's write
 * transaction, and every write queued behind it, waits until {@link #rollback()} lets it through.
 */
final class HeldNodeWrite implements AutoCloseable {
  private final Connection connection;
  private final int backendPid;
  final String persistenceId;
  final long sequenceNumber;
  /** Journal orderings this writer took (one per insert tried; none of them commits). */
  final int orderingsTaken;

  private HeldNodeWrite(Connection connection, int backendPid, String persistenceId, long sequenceNumber, int orderingsTaken) {
    this.connection = connection;
    this.backendPid = backendPid;
    this.persistenceId = persistenceId;
    this.sequenceNumber = sequenceNumber;
    this.orderingsTaken = orderingsTaken;
  }

  /** Inserts a copy of the profile's last row at the next sequence number, uncommitted (retried if the node got there first). */
  static HeldNodeWrite open(String jdbcUrl, String persistenceId) throws SQLException {
    Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "");
    try {
      int pid;
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
        rs.next();
        pid = rs.getInt(1);
      }
      c.setAutoCommit(false);
      for (int attempt = 0; ; attempt++) {
        try (PreparedStatement w = c.prepareStatement("""
            INSERT INTO event_journal (deleted, persistence_id, sequence_number, writer, write_timestamp, adapter_manifest,
                                       event_ser_id, event_ser_manifest, event_payload, meta_ser_id, meta_ser_manifest, meta_payload)
            SELECT deleted, persistence_id, sequence_number + 1, writer, write_timestamp, adapter_manifest,
                   event_ser_id, event_ser_manifest, event_payload, meta_ser_id, meta_ser_manifest, meta_payload
            FROM event_journal WHERE persistence_id = ? ORDER BY sequence_number DESC LIMIT 1
            RETURNING sequence_number""")) {
          w.setString(1, persistenceId);
          try (ResultSet rs = w.executeQuery()) {
            if (!rs.next()) throw new IllegalStateException(persistenceId + " has no journal row yet");
            return new HeldNodeWrite(c, pid, persistenceId, rs.getLong(1), attempt + 1);
          }
        } catch (SQLException e) {
          // 23505: the node committed that sequence number first; take the next one.
          if (!"23505".equals(e.getSQLState()) || attempt >= 20) throw e;
          c.rollback();
        }
      }
    } catch (SQLException | RuntimeException e) {
      c.close();
      throw e;
    }
  }

  /** Whether another session (the node's writer) now waits on this transaction. */
  boolean blocksAWriter(String jdbcUrl) throws SQLException {
    try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", ""); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE " + backendPid + " = ANY(pg_blocking_pids(pid))")) {
      rs.next();
      return rs.getLong(1) > 0;
    }
  }

  /** Lets the node's write through (its row keeps the sequence number). */
  void rollback() throws SQLException {
    connection.rollback();
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
