package dev.profileengine.engine.changes;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On PostgreSQL, the highest journal ordering at or below which every row is committed or never
 * will be: the change stream and the segment projection read no further, so a row whose ordering
 * was taken by one writer but committed seconds later, after rows with higher orderings, is still
 * read, in its place.
 *
 * <p>Each poll reads the ordering sequence's last value S, then the transactions holding a write
 * lock on the journal table W (an INSERT takes it before it takes its ordering and keeps it to its
 * end, and it is released only once the commit is visible). Every ordering up to S was taken by a
 * transaction that has ended or is in W, so once none of W is left, everything up to S is
 * settled: committed (visible to the next read) or rolled back (a true gap, skipped without a wait).
 * A writer still open after {@code maxWait} is given up on (counted and logged): a row it commits
 * later is not read by subscribers already past it. Assumes the sequence hands out values one at a
 * time (the plugin's {@code BIGSERIAL}, cache 1).
 */
final class CommitHorizon {
  private static final Logger log = LoggerFactory.getLogger(CommitHorizon.class);

  /** What one poll saw: the orderings taken so far, and the journal's writers then. */
  private record Seen(long allocated, Set<String> writers, long atNanos) {}

  private final Duration maxWait;
  private final ArrayDeque<Seen> pending = new ArrayDeque<>();
  private final Set<String> abandoned = new HashSet<>();
  private long horizon;
  private String sequence; // resolved on first use

  CommitHorizon(Duration maxWait) {
    this.maxWait = maxWait;
  }

  /** Polls the database and returns the horizon (never lower than before). */
  long advance(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      if (sequence == null) sequence = one(st, "SELECT pg_get_serial_sequence('event_journal', 'ordering')", String.class);
      // The sequence first, then the lock holders: see the class comment.
      long allocated = one(st, "SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM " + sequence, Long.class);
      Set<String> writers = new HashSet<>();
      try (ResultSet rs = st.executeQuery("SELECT virtualtransaction FROM pg_locks WHERE locktype = 'relation' "
          + "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
          + "AND relation = 'event_journal'::regclass AND mode = 'RowExclusiveLock'")) {
        while (rs.next()) writers.add(rs.getString(1));
      }
      return advance(allocated, writers, System.nanoTime());
    }
  }

  /**
   * The horizon after a poll that saw orderings up to {@code allocated} taken and {@code writers}
   * open: the latest earlier poll none of whose writers is still open (or that waited past the bound).
   */
  synchronized long advance(long allocated, Set<String> writers, long nowNanos) {
    Set<String> open = new HashSet<>(writers);
    abandoned.retainAll(open);
    open.removeAll(abandoned);
    Seen last = pending.peekLast();
    if (allocated > horizon && (last == null || allocated > last.allocated())) pending.add(new Seen(allocated, Set.copyOf(writers), nowNanos));
    Seen oldest = pending.peekFirst();
    if (oldest != null && !Collections.disjoint(oldest.writers(), open) && nowNanos - oldest.atNanos() >= maxWait.toNanos()) {
      // Given up on: these writers no longer hold the horizon back, here or in later polls.
      Set<String> stuck = new HashSet<>(oldest.writers());
      stuck.retainAll(open);
      abandoned.addAll(stuck);
      open.removeAll(stuck);
      log.warn("Journal writers {} held their transaction over {}: the change stream no longer waits for them (orderings up to {})",
          stuck, maxWait, oldest.allocated());
      ChangeMetrics.commitWaitsGivenUp.inc(stuck.size());
    }
    // The latest poll none of whose writers is still open settles everything up to its orderings.
    long settled = horizon;
    int settledCount = 0;
    int i = 0;
    for (Seen s : pending) {
      i++;
      if (Collections.disjoint(s.writers(), open)) {
        settled = s.allocated();
        settledCount = i;
      }
    }
    for (int k = 0; k < settledCount; k++) pending.poll();
    horizon = Math.max(horizon, settled);
    return horizon;
  }

  private static <T> T one(Statement st, String sql, Class<T> type) throws SQLException {
    try (ResultSet rs = st.executeQuery(sql)) {
      if (!rs.next()) throw new SQLException("no row from " + sql);
      return rs.getObject(1, type);
    }
  }
}
