package dev.profileengine.engine.segments;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import akka.persistence.jdbc.query.javadsl.JdbcReadJournal;
import akka.persistence.query.Offset;
import akka.projection.ProjectionBehavior;
import akka.projection.ProjectionId;
import akka.projection.eventsourced.EventEnvelope;
import akka.projection.eventsourced.javadsl.EventSourcedProvider;
import akka.projection.javadsl.GroupedProjection;
import akka.projection.javadsl.SourceProvider;
import akka.projection.jdbc.javadsl.JdbcHandler;
import akka.projection.jdbc.javadsl.JdbcProjection;
import dev.profileengine.engine.ErasureLog;
import dev.profileengine.engine.UserProfile;
import dev.profileengine.engine.changes.ChangeFeed;
import dev.profileengine.engine.journal.JournalDatabase;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Maintains {@link SegmentStore}'s table from the journal: an akka-projection over the segment tag
 * (segment entries/exits and erasures only),
 * exactly-once (the offset is stored in the same JDBC transaction as the rows). Envelopes are
 * applied in groups of up to {@link #GROUP_SIZE} (or what arrived within {@link #GROUP_WITHIN}), one
 * transaction per group: each H2 commit writes a chunk, so a commit per envelope costs a replay
 * much of its CPU. One instance runs in the cluster (a sharded daemon
 * process), so it moves when its node leaves.
 */
public final class SegmentProjection {
  private SegmentProjection() {}

  static final int GROUP_SIZE = 500;
  static final Duration GROUP_WITHIN = Duration.ofMillis(200);

  /** Creates the tables (read side and offset store) and starts the projection on this node. */
  public static void init(ActorSystem<?> system, SegmentStore store) {
    store.createSchema();
    JournalDatabase.createIfMissing("projection offset store", () ->
        JdbcProjection.createTablesIfNotExists(() -> new JournalJdbcSession(store.connection()), system)
            .toCompletableFuture().get(60, TimeUnit.SECONDS));
    SourceProvider<Offset, EventEnvelope<Object>> source =
        EventSourcedProvider.eventsByTag(system, JdbcReadJournal.Identifier(), ChangeFeed.SEGMENT_TAG);
    GroupedProjection<Offset, EventEnvelope<Object>> projection = JdbcProjection.groupedWithin(
        ProjectionId.of("segment-members", ChangeFeed.SEGMENT_TAG), source,
        () -> new JournalJdbcSession(store.connection()), Handler::new, system)
        .withGroup(GROUP_SIZE, GROUP_WITHIN)
        // A failed group is rolled back with its offset: retry it, then restart the projection from
        // the stored offset (seen once: an H2 "MVStoreException: Position 0" on an insert under load).
        .withRecoveryStrategy(akka.projection.HandlerRecoveryStrategy.retryAndFail(3, Duration.ofMillis(500)))
        .withRestartBackoff(Duration.ofSeconds(1), Duration.ofSeconds(30), 0.2);
    ShardedDaemonProcess.get(system).init(ProjectionBehavior.Command.class, "segment-members", 1,
        i -> ProjectionBehavior.create(projection), ProjectionBehavior.stopMessage());
  }

  /** Applies a group of segment entries/exits and erasures to the table, in journal order, in one transaction. */
  static final class Handler extends JdbcHandler<List<EventEnvelope<Object>>, JournalJdbcSession> {
    @Override
    public void process(JournalJdbcSession session, List<EventEnvelope<Object>> envelopes) throws Exception {
      session.withConnection(conn -> {
        for (EventEnvelope<Object> envelope : envelopes) apply(conn, envelope);
        return null;
      });
    }

    private static void apply(java.sql.Connection conn, EventEnvelope<Object> envelope) throws java.sql.SQLException {
      Object event = envelope.event();
      if (event instanceof UserProfile.SegmentsChanged c) {
        String userId = envelope.persistenceId().substring(envelope.persistenceId().indexOf('|') + 1);
        long since = c.at().toEpochMilli();
        for (String s : c.left()) SegmentStore.leave(conn, s, userId);
        for (String s : c.entered()) SegmentStore.enter(conn, s, userId, since);
      } else if (event instanceof ErasureLog.UserForgotten f) {
        SegmentStore.forget(conn, f.userId());
      }
    }
  }
}
