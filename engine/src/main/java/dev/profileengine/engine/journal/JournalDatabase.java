package dev.profileengine.engine.journal;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.persistence.jdbc.db.SlickExtension;
import akka.persistence.jdbc.db.SlickExtensionImpl;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The journal's database as plain JDBC, for the engine's own tables and maintenance (erasure, the
 * segment read side): connections come from akka-persistence-jdbc's shared pool, so an embedded H2
 * file is opened once and every node uses the connection limit it was given.
 */
public final class JournalDatabase {
  /** A unit of JDBC work on one connection. */
  public interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /** A step that creates tables if they are missing. */
  public interface SchemaStep {
    void run() throws Exception;
  }

  /**
   * Runs {@code step}. Nodes that start together race on {@code CREATE ... IF NOT EXISTS}, and
   * PostgreSQL may then fail the loser with a duplicate key in its catalog (pg_class, pg_type): a
   * failed try is repeated, 3 tries in all, and sees what the winner created.
   */
  public static void createIfMissing(String what, SchemaStep step) {
    for (int attempt = 1; ; attempt++) {
      try {
        step.run();
        return;
      } catch (Exception e) {
        if (attempt == 3) throw new IllegalStateException("cannot create " + what + ": " + e.getMessage(), e);
        try {
          Thread.sleep(100L * attempt);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while creating " + what, interrupted);
        }
      }
    }
  }

  private final ActorSystem<?> system;
  private final Executor blocking;
  private final String plugin;

  /** The writers' pool (the journal's): for work that writes. */
  public JournalDatabase(ActorSystem<?> system) {
    this(system, "jdbc-journal");
  }

  private JournalDatabase(ActorSystem<?> system, String plugin) {
    this.system = system;
    this.plugin = plugin;
    this.blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
  }

  /** The read journal's pool: queries never take the connections journal writes need. */
  public static JournalDatabase reads(ActorSystem<?> system) {
    return new JournalDatabase(system, "jdbc-read-journal");
  }

  /** A connection of this pool (autocommit on); the caller closes it. */
  public Connection connection() {
    SlickExtensionImpl slick = (SlickExtensionImpl) SlickExtension.get(system.classicSystem());
    return slick.database(system.settings().config().getConfig(plugin)).database().source().createConnection();
  }

  /** Runs {@code work} on a pooled connection on the blocking dispatcher; {@code what} names it in a failure. */
  public <T> CompletionStage<T> run(String what, Work<T> work) {
    return CompletableFuture.supplyAsync(() -> {
      try (Connection c = connection()) {
        return work.run(c);
      } catch (SQLException e) {
        throw new CompletionException(what + " failed: " + e.getMessage(), e);
      }
    }, blocking);
  }
}
