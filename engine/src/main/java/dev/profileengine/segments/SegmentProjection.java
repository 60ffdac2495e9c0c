package dev.profileengine.segments;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import akka.persistence.jdbc.query.javadsl.JdbcReadJournal;
import akka.persistence.query.Offset;
import akka.projection.ProjectionBehavior;
import akka.projection.ProjectionId;
import akka.projection.eventsourced.EventEnvelope;
import akka.projection.eventsourced.javadsl.EventSourcedProvider;
import akka.projection.javadsl.ExactlyOnceProjection;
import akka.projection.javadsl.SourceProvider;
import akka.projection.jdbc.javadsl.JdbcHandler;
import akka.projection.jdbc.javadsl.JdbcProjection;
import dev.profileengine.engine.ChangeFeed;
import dev.profileengine.engine.ErasureLog;
import dev.profileengine.engine.UserProfile;
import java.util.concurrent.TimeUnit;

/**
 * Maintains {@link SegmentStore}'s table from the journal: an akka-projection over the segment tag
 * (segment entries/exits and erasures only),
 * exactly-once (the offset is stored in the same JDBC transaction as the rows). One instance runs
 * in the cluster (a sharded daemon process), so it moves when its node leaves.
 */
public final class SegmentProjection {
  private SegmentProjection() {}

  /** Creates the tables (read side and offset store) and starts the projection on this node. */
  public static void init(ActorSystem<?> system, SegmentStore store) {
    store.createSchema();
    try {
      JdbcProjection.createTablesIfNotExists(() -> new JournalJdbcSession(store.connection()), system)
          .toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("projection offset store could not be created: " + e.getMessage(), e);
    }
    SourceProvider<Offset, EventEnvelope<Object>> source =
        EventSourcedProvider.eventsByTag(system, JdbcReadJournal.Identifier(), ChangeFeed.SEGMENT_TAG);
    ExactlyOnceProjection<Offset, EventEnvelope<Object>> projection = JdbcProjection.exactlyOnce(
        ProjectionId.of("segment-members", ChangeFeed.SEGMENT_TAG), source,
        () -> new JournalJdbcSession(store.connection()), Handler::new, system);
    ShardedDaemonProcess.get(system).init(ProjectionBehavior.Command.class, "segment-members", 1,
        i -> ProjectionBehavior.create(projection), ProjectionBehavior.stopMessage());
  }

  /** Applies segment entries/exits and erasures to the table. */
  static final class Handler extends JdbcHandler<EventEnvelope<Object>, JournalJdbcSession> {
    @Override
    public void process(JournalJdbcSession session, EventEnvelope<Object> envelope) throws Exception {
      Object event = envelope.event();
      if (event instanceof UserProfile.SegmentsChanged c) {
        String userId = envelope.persistenceId().substring(envelope.persistenceId().indexOf('|') + 1);
        long since = c.at().toEpochMilli();
        session.withConnection(conn -> {
          for (String s : c.left()) SegmentStore.leave(conn, s, userId);
          for (String s : c.entered()) SegmentStore.enter(conn, s, userId, since);
          return null;
        });
      } else if (event instanceof ErasureLog.UserForgotten f) {
        session.withConnection(conn -> SegmentStore.forget(conn, f.userId()));
      }
    }
  }
}
