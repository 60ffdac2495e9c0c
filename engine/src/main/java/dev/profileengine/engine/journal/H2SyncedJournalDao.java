package dev.profileengine.engine.journal;

import akka.persistence.jdbc.config.JournalConfig;
import akka.serialization.Serialization;
import akka.stream.Materializer;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import scala.concurrent.ExecutionContext;
import slick.jdbc.JdbcBackend;
import slick.jdbc.JdbcProfile;

/**
 * The H2 journal with {@code PROFILE_H2_SYNC=commit}: after each group-committed batch of rows,
 * {@code CHECKPOINT SYNC} (H2 writes what the commit left pending and forces the file to disk,
 * {@code FileChannel.force}) before any write of the batch is acknowledged. So an acknowledged event
 * survives an OS crash or power cut, not only a killed process; one fsync per batch, not per event.
 */
public class H2SyncedJournalDao extends BatchingJournalDao {
  private final JdbcBackend.DatabaseDef db;
  // One thread, gone after 30 s idle: the fsync blocks, and batches are synced one after the other.
  private final ThreadPoolExecutor syncer = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
    Thread t = new Thread(r, "h2-journal-sync");
    t.setDaemon(true);
    return t;
  });

  public H2SyncedJournalDao(JdbcBackend.DatabaseDef db, JdbcProfile profile, JournalConfig config, Serialization serialization,
                            ExecutionContext ec, Materializer mat) {
    super(db, profile, config, serialization, ec, mat);
    this.db = db;
    syncer.allowCoreThreadTimeOut(true);
  }

  @Override
  protected CompletionStage<?> afterCommit() {
    return CompletableFuture.runAsync(() -> {
      try (Connection c = db.source().createConnection(); Statement s = c.createStatement()) {
        s.execute("CHECKPOINT SYNC");
      } catch (java.sql.SQLException e) {
        throw new IllegalStateException("H2 journal: CHECKPOINT SYNC failed, the batch is not acknowledged: " + e.getMessage(), e);
      }
    }, syncer);
  }
}
