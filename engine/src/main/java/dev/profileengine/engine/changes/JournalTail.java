package dev.profileengine.engine.changes;

import akka.persistence.PersistentRepr;
import akka.persistence.jdbc.AkkaSerialization;
import akka.persistence.jdbc.journal.dao.JournalTables;
import akka.persistence.query.EventEnvelope;
import akka.persistence.query.Offset;
import akka.serialization.Serialization;
import dev.profileengine.engine.changes.ChangeFeed.ProfileChanged;
import dev.profileengine.engine.changes.DerivedTagReadJournalDao.DerivedTag;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The change tag's rows after an ordering, read only up to the journal's settled head: on
 * PostgreSQL its {@link CommitHorizon}; on H2 the end of the run of consecutive orderings (an
 * ordering missing from the run belongs to a write not yet committed, or rolled back: it is waited
 * for up to {@code gapWait}, then passed, as the plugin's gap detection does). Used by the live
 * read, which reads whenever the node's journal commits rather than on a timer.
 */
final class JournalTail {
  /** What one read found: the changes, the ordering read up to, and whether more were left for the next read. */
  record Page(List<ProfileChanged> changes, long readTo, boolean more) {}

  private final Serialization serialization;
  private final DerivedTag tag;
  private final CommitHorizon horizon; // null: H2, consecutive orderings
  private final OrderingGaps gaps;

  JournalTail(Serialization serialization, DerivedTag tag, CommitHorizon horizon, Duration gapWait) {
    this.serialization = serialization;
    this.tag = tag;
    this.horizon = horizon;
    this.gaps = new OrderingGaps(gapWait);
  }

  /** The tag's changes after {@code after}, at most {@code max}; one reader at a time. */
  synchronized Page read(Connection c, long after, int max) throws SQLException {
    long settled = horizon != null ? horizon.advance(c) : consecutiveEnd(c, after, max);
    if (settled <= after) return new Page(List.of(), after, false);
    List<JournalTables.JournalAkkaSerializationRow> rows = DerivedTagReadJournalDao.rows(c, tag, after, settled, max);
    ChangeMetrics.tagQueries.labelValues(tag.name()).inc();
    ChangeMetrics.tagRowsRead.labelValues(tag.name()).inc(rows.size());
    List<ProfileChanged> changes = new ArrayList<>(rows.size());
    for (JournalTables.JournalAkkaSerializationRow row : rows) {
      scala.Tuple2<PersistentRepr, Object> repr = AkkaSerialization.fromRow(serialization, row).get();
      PersistentRepr r = repr._1();
      changes.add(ChangeFeed.toChange(EventEnvelope.apply(Offset.sequence(row.ordering()), r.persistenceId(), r.sequenceNr(),
          r.payload(), r.timestamp(), scala.Option.empty())));
    }
    if (rows.size() == max) return new Page(changes, rows.get(rows.size() - 1).ordering(), true);
    return new Page(changes, settled, false);
  }

  /** H2: the last of the consecutive orderings after {@code after} (up to {@code max} of them). */
  private long consecutiveEnd(Connection c, long after, int max) throws SQLException {
    List<Long> orderings = new ArrayList<>();
    try (PreparedStatement st = c.prepareStatement(
        "SELECT \"ordering\" FROM \"event_journal\" WHERE \"ordering\" > ? ORDER BY \"ordering\" LIMIT ?")) {
      st.setLong(1, after);
      st.setInt(2, max);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) orderings.add(rs.getLong(1));
      }
    }
    return gaps.settledEnd(after, orderings, System.nanoTime());
  }
}
