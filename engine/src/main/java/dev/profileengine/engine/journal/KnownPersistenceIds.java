package dev.profileengine.engine.journal;

import akka.actor.AbstractExtensionId;
import akka.actor.ExtendedActorSystem;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import slick.jdbc.JdbcBackend;
import slick.jdbc.JdbcProfile;

/**
 * The persistence ids an embedded H2 journal may hold rows or snapshots for, so that recovering
 * an entity whose id is certainly not among them (most of a stream's users are new) skips its two
 * queries (latest snapshot, highest sequence number): the answer is known to be "nothing".
 *
 * <p>Derived from the journal, never stored: at start each table's ids are read in the background
 * (until both are read every recovery queries as before), and every id the node writes is added
 * before its rows are queued. So the filter always covers every id with a row, provided this node
 * is the database's only writer, which an embedded H2 file is (H2 locks it to one process); other
 * journals (PostgreSQL, shared by a cluster) do not use it. The few writes that bypass the DAOs
 * (the erasure's tombstone) are for ids that already had rows. Ids are never removed.
 */
public final class KnownPersistenceIds implements akka.actor.Extension {
  private static final Logger log = LoggerFactory.getLogger(KnownPersistenceIds.class);
  // The filter's first size; it grows by itself, so this only saves growth steps on big journals.
  private static final long INITIAL_CAPACITY = 1 << 20;

  private final PersistenceIdFilter ids = new PersistenceIdFilter(INITIAL_CAPACITY);
  private final AtomicBoolean journalLoadStarted = new AtomicBoolean();
  private final AtomicBoolean snapshotLoadStarted = new AtomicBoolean();
  private volatile boolean journalLoaded;
  private volatile boolean snapshotsLoaded;
  private final java.util.concurrent.CompletableFuture<Void> journalRead = new java.util.concurrent.CompletableFuture<>();
  private final java.util.concurrent.CompletableFuture<Void> snapshotsRead = new java.util.concurrent.CompletableFuture<>();

  static final class Id extends AbstractExtensionId<KnownPersistenceIds> {
    static final Id INSTANCE = new Id();

    @Override
    public KnownPersistenceIds createExtension(ExtendedActorSystem system) {
      return new KnownPersistenceIds();
    }
  }

  private KnownPersistenceIds() {}

  /** The node's filter for an H2 journal, its ids being read from {@code table} in the background; null for other databases. */
  static KnownPersistenceIds forJournal(ExtendedActorSystem system, JdbcProfile profile, JdbcBackend.DatabaseDef db, String table, String column) {
    if (!(profile instanceof slick.jdbc.H2Profile)) return null;
    KnownPersistenceIds known = Id.INSTANCE.get(system);
    if (known.journalLoadStarted.compareAndSet(false, true)) known.load(db, table, column, () -> {
      known.journalLoaded = true;
      known.journalRead.complete(null);
    });
    return known;
  }

  /** As {@link #forJournal}, for the snapshot table. */
  static KnownPersistenceIds forSnapshots(ExtendedActorSystem system, JdbcProfile profile, JdbcBackend.DatabaseDef db, String table, String column) {
    if (!(profile instanceof slick.jdbc.H2Profile)) return null;
    KnownPersistenceIds known = Id.INSTANCE.get(system);
    if (known.snapshotLoadStarted.compareAndSet(false, true)) known.load(db, table, column, () -> {
      known.snapshotsLoaded = true;
      known.snapshotsRead.complete(null);
    });
    return known;
  }

  /** The node's filter (possibly not yet in use: see {@link #loaded()}). */
  public static KnownPersistenceIds get(akka.actor.ActorSystem system) {
    return Id.INSTANCE.get(system);
  }

  /** Completes once the ids of both tables are read: from then on unknown ids skip their recovery queries. */
  public java.util.concurrent.CompletionStage<Void> loaded() {
    return journalRead.thenCombine(snapshotsRead, (a, b) -> null);
  }

  /** Called before rows or a snapshot of {@code persistenceId} are written. */
  void add(String persistenceId) {
    ids.add(persistenceId);
  }

  /** True only when nothing can be stored for {@code persistenceId}: its recovery needs no query (counted as a skipped recovery). */
  public boolean certainlyUnknown(String persistenceId) {
    boolean unknown = certainlyAbsent(persistenceId);
    if (unknown) JournalMetrics.recoveryQueriesSkipped.inc();
    return unknown;
  }

  /**
   * True only when nothing is stored for {@code persistenceId} and nothing was queued for it before
   * this call; false until both tables are read. Not counted: for callers other than recovery.
   */
  public boolean certainlyAbsent(String persistenceId) {
    return journalLoaded && snapshotsLoaded && !ids.mightContain(persistenceId);
  }

  private void load(JdbcBackend.DatabaseDef db, String table, String column, Runnable loaded) {
    Thread t = new Thread(() -> {
      long start = System.nanoTime();
      long n = 0;
      try (Connection c = db.source().createConnection(); Statement st = c.createStatement();
           ResultSet rs = st.executeQuery("SELECT DISTINCT " + column + " FROM " + table)) {
        while (rs.next()) {
          ids.add(rs.getString(1));
          n++;
        }
        loaded.run();
        log.info("Known persistence ids: {} read from {} in {} ms (filter {} KB); recoveries of other ids skip their queries once the journal and snapshot tables are read",
            n, table, (System.nanoTime() - start) / 1_000_000, ids.bytes() / 1024);
      } catch (Exception e) {
        // Never marked loaded: every recovery keeps querying, as without the filter.
        log.warn("Known persistence ids: reading {} failed, recoveries keep querying the journal: {}", table, e.toString());
      }
    }, "known-persistence-ids");
    t.setDaemon(true);
    t.start();
  }
}
