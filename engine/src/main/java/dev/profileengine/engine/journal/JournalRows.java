package dev.profileengine.engine.journal;

import akka.persistence.jdbc.journal.dao.JournalTables;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import scala.Option;

/**
 * The journal's rows read with plain JDBC, in the plugin's own row type (so
 * {@code AkkaSerialization.fromRow} deserializes them as the plugin does), on H2 and PostgreSQL
 * alike: the tag reads of the change feed and a profile's history for a merge.
 */
public final class JournalRows {
  private JournalRows() {}

  /** Every column of a row, in the order {@link #row} reads them; a query adds its WHERE. */
  public static final String SELECT = """
      SELECT j."ordering", j."deleted", j."persistence_id", j."sequence_number", j."writer", j."write_timestamp",
             j."adapter_manifest", j."event_payload", j."event_ser_id", j."event_ser_manifest",
             j."meta_payload", j."meta_ser_id", j."meta_ser_manifest"
      FROM "event_journal" j
      """;

  /**
   * The rows of one persistence id up to its sequence number {@code upTo}, in order: what the
   * plugin's {@code currentEventsByPersistenceId} reads, in one indexed query on the caller's
   * connection, without a stream per read (a merge reads a profile's history this way).
   */
  public static List<JournalTables.JournalAkkaSerializationRow> of(Connection c, String persistenceId, long upTo) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(SELECT
        + "WHERE j.\"persistence_id\" = ? AND j.\"sequence_number\" <= ? AND j.\"deleted\" = FALSE ORDER BY j.\"sequence_number\"")) {
      st.setString(1, persistenceId);
      st.setLong(2, upTo);
      return all(st);
    }
  }

  /** Every row {@code st} (a query of {@link #SELECT}'s columns, parameters bound) finds. */
  public static List<JournalTables.JournalAkkaSerializationRow> all(PreparedStatement st) throws SQLException {
    List<JournalTables.JournalAkkaSerializationRow> rows = new ArrayList<>();
    try (ResultSet rs = st.executeQuery()) {
      while (rs.next()) rows.add(row(rs));
    }
    return rows;
  }

  /** The row at {@code rs}'s cursor, read from {@link #SELECT}'s columns. */
  public static JournalTables.JournalAkkaSerializationRow row(ResultSet rs) throws SQLException {
    byte[] metaPayload = rs.getBytes(11);
    int metaSerId = rs.getInt(12);
    Option<Object> metaId = rs.wasNull() ? Option.empty() : Option.apply(metaSerId);
    return new JournalTables.JournalAkkaSerializationRow(rs.getLong(1), rs.getBoolean(2), rs.getString(3), rs.getLong(4),
        rs.getString(5), rs.getLong(6), rs.getString(7), rs.getBytes(8), rs.getInt(9), rs.getString(10),
        Option.apply(metaPayload), metaId, Option.apply(rs.getString(13)));
  }
}
