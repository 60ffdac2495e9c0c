package dev.profileengine.engine;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.persistence.jdbc.db.SlickExtension;
import akka.persistence.jdbc.db.SlickExtensionImpl;
import com.typesafe.config.Config;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Physically removes one persistence id's journal rows (with their tags, by the schema's cascade)
 * and snapshots, in one transaction on the journal's own connection pool. akka-persistence-jdbc's
 * {@code deleteMessages} keeps the highest row (payload included) as a marker, which is not
 * forgetting; this keeps nothing.
 */
public final class JournalEraser {
  /** What was removed. */
  public record Erased(int events, int snapshots) {}

  private final ActorSystem<?> system;
  private final String journalTable;
  private final String snapshotTable;
  private final Executor blocking;

  public JournalEraser(ActorSystem<?> system) {
    this.system = system;
    Config c = system.settings().config();
    this.journalTable = quoted(c.getString("jdbc-journal.tables.event_journal.tableName"));
    this.snapshotTable = quoted(c.getString("jdbc-snapshot-store.tables.snapshot.tableName"));
    this.blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
  }

  public CompletionStage<Erased> erase(String persistenceId) {
    return CompletableFuture.supplyAsync(() -> {
      try (Connection conn = connection()) {
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
      } catch (SQLException e) {
        throw new CompletionException("erasing " + persistenceId + " failed: " + e.getMessage(), e);
      }
    }, blocking);
  }

  private static int delete(Connection conn, String table, String persistenceId) throws SQLException {
    try (PreparedStatement st = conn.prepareStatement("DELETE FROM " + table + " WHERE \"persistence_id\" = ?")) {
      st.setString(1, persistenceId);
      return st.executeUpdate();
    }
  }

  private Connection connection() {
    SlickExtensionImpl slick = (SlickExtensionImpl) SlickExtension.get(system.classicSystem());
    return slick.database(system.settings().config().getConfig("jdbc-journal")).database().source().createConnection();
  }

  private static String quoted(String table) {
    return "\"" + table.replace("\"", "") + "\"";
  }
}
