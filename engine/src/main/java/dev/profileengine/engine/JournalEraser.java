package dev.profileengine.engine;

import akka.actor.typed.ActorSystem;
import com.typesafe.config.Config;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.CompletionStage;

/**
 * Physically removes one persistence id's journal rows (with their tags, by the schema's cascade)
 * and snapshots, in one transaction on the journal's own connection pool. akka-persistence-jdbc's
 * {@code deleteMessages} keeps the highest row (payload included) as a marker, which is not
 * forgetting; this keeps nothing.
 */
public final class JournalEraser {
  /** What was removed. */
  public record Erased(int events, int snapshots) {}

  private final JournalDatabase database;
  private final String journalTable;
  private final String snapshotTable;

  public JournalEraser(ActorSystem<?> system) {
    this.database = new JournalDatabase(system);
    Config c = system.settings().config();
    this.journalTable = quoted(c.getString("jdbc-journal.tables.event_journal.tableName"));
    this.snapshotTable = quoted(c.getString("jdbc-snapshot-store.tables.snapshot.tableName"));
  }

  public CompletionStage<Erased> erase(String persistenceId) {
    return database.run("erasing " + persistenceId, conn -> {
      conn.setAutoCommit(false);
      try {
        int snapshots = delete(conn, snapshotTable, persistenceId);
        int events = delete(conn, journalTable, persistenceId);
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
