package dev.profileengine.engine;

import akka.actor.typed.ActorSystem;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.Serializers;
import com.typesafe.config.Config;
import dev.profileengine.engine.journal.JournalDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.CompletionStage;

/**
 * Physically removes one persistence id's journal rows (with their tags, by the schema's cascade)
 * and snapshots, in one transaction on the journal's own connection pool. akka-persistence-jdbc's
 * {@code deleteMessages} keeps the highest row (payload included) as a marker, which is not
 * forgetting; this keeps nothing of the user but a {@link UserProfile.Forgotten} tombstone, inserted
 * in the same transaction, so no crash can leave the rows gone without it (a retried old batch would
 * then be applied again).
 */
public final class JournalEraser {
  /** What was removed (the tombstone of an earlier forget counted among the events). */
  public record Erased(int events, int snapshots) {}

  private final JournalDatabase database;
  private final String journalTable;
  private final String snapshotTable;
  private final Serialization serialization;

  public JournalEraser(ActorSystem<?> system) {
    this.database = new JournalDatabase(system);
    this.serialization = SerializationExtension.get(system.classicSystem());
    Config c = system.settings().config();
    this.journalTable = quoted(c.getString("jdbc-journal.tables.event_journal.tableName"));
    this.snapshotTable = quoted(c.getString("jdbc-snapshot-store.tables.snapshot.tableName"));
  }

  public CompletionStage<Erased> erase(String persistenceId, UserProfile.Forgotten tombstone, long tombstoneSeq) {
    Serializer serializer = serialization.findSerializerFor(tombstone);
    byte[] payload = serializer.toBinary(tombstone);
    String manifest = Serializers.manifestFor(serializer, tombstone);
    return database.run("erasing " + persistenceId, conn -> {
      conn.setAutoCommit(false);
      try {
        int snapshots = delete(conn, snapshotTable, persistenceId);
        int events = delete(conn, journalTable, persistenceId);
        // The row as akka-persistence-jdbc writes it (no event adapter, no metadata).
        try (PreparedStatement st = conn.prepareStatement("INSERT INTO " + journalTable + " (\"deleted\", \"persistence_id\", "
            + "\"sequence_number\", \"writer\", \"write_timestamp\", \"adapter_manifest\", \"event_payload\", \"event_ser_id\", "
            + "\"event_ser_manifest\") VALUES (FALSE, ?, ?, ?, ?, '', ?, ?, ?)")) {
          st.setString(1, persistenceId);
          st.setLong(2, tombstoneSeq);
          st.setString(3, "erasure");
          st.setLong(4, tombstone.at().toEpochMilli());
          st.setBytes(5, payload);
          st.setInt(6, serializer.identifier());
          st.setString(7, manifest);
          st.executeUpdate();
        }
        conn.commit();
        return new Erased(events, snapshots);
      } catch (SQLException e) {
        conn.rollback();
        throw e;
      }
    });
  }

  private static int delete(Connection conn, String table, String persistenceId) throws SQLException {
    try (PreparedStatement st = conn.prepareStatement("DELETE FROM " + table + " WHERE \"persistence_id\" = ?")) {
      st.setString(1, persistenceId);
      return st.executeUpdate();
    }
  }

  private static String quoted(String table) {
    return "\"" + table.replace("\"", "") + "\"";
  }
}
