package dev.profileengine.engine.changes;

import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.japi.Pair;
import akka.persistence.jdbc.query.javadsl.JdbcReadJournal;
import akka.persistence.query.Offset;
import akka.stream.BoundedSourceQueue;
import akka.stream.QueueOfferResult;
import akka.stream.RestartSettings;
import akka.stream.javadsl.RestartSource;
import akka.stream.javadsl.Source;
import dev.profileengine.engine.changes.ChangeFeed.ProfileChanged;
import dev.profileengine.engine.journal.JournalDatabase;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A node's one live read of the change tag, fanned out to its subscribers: the journal is polled
 * and each change deserialized once, then offered to every registered subscriber's bounded queue.
 * Offering never waits, so no subscriber can hold up the read: one whose queue is full is failed
 * with {@link FellBehind} and dropped (the {@link ChangeFeed} then catches it up from the journal).
 */
final class LiveChangeRead {
  /** A subscriber left more changes waiting than its read-ahead. */
  static final class FellBehind extends RuntimeException {
    FellBehind(int readAhead) {
      super("the subscriber fell more than " + readAhead + " changes behind the live change read");
    }
  }

  // The live read never gives up: it serves every subscriber of the node.
  private static final RestartSettings RESTART = RestartSettings.create(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2);

  private final ActorSystem<?> system;
  private final List<BoundedSourceQueue<ProfileChanged>> subscribers = new CopyOnWriteArrayList<>();

  /** Starts reading the change tag after the journal's current head. */
  LiveChangeRead(ActorSystem<?> system, JdbcReadJournal journal, JournalDatabase database) {
    this.system = system;
    AtomicLong read = new AtomicLong(head(database));
    // A failed query restarts from the last change read: subscribers see neither a gap nor a repeat.
    RestartSource.withBackoff(RESTART, () -> journal.eventsByTag(ChangeFeed.TAG, Offset.sequence(read.get()))
            .map(ChangeFeed::toChange))
        .runForeach(c -> {
          read.set(c.offset());
          publish(c);
        }, system);
  }

  /**
   * Registers a subscriber now: every change read from here on is offered to the returned source,
   * which fails with {@link FellBehind} when more than {@code readAhead} changes wait in it.
   */
  Source<ProfileChanged, NotUsed> subscribe(int readAhead) {
    Pair<BoundedSourceQueue<ProfileChanged>, Source<ProfileChanged, NotUsed>> queue =
        Source.<ProfileChanged>queue(readAhead).preMaterialize(system);
    subscribers.add(queue.first());
    return queue.second();
  }

  private void publish(ProfileChanged change) {
    for (BoundedSourceQueue<ProfileChanged> q : subscribers) {
      QueueOfferResult offered = q.offer(change);
      if (offered == QueueOfferResult.enqueued()) continue;
      subscribers.remove(q);
      // Full: fail it, so its feed catches up from the journal. Closed or failed: it is gone.
      if (offered == QueueOfferResult.dropped()) q.fail(new FellBehind(q.size()));
    }
  }

  /** The journal's highest ordering now (0 when empty). */
  private static long head(JournalDatabase database) {
    try (var c = database.connection(); Statement st = c.createStatement();
         ResultSet rs = st.executeQuery("SELECT MAX(\"ordering\") FROM \"event_journal\"")) {
      return rs.next() ? rs.getLong(1) : 0;
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("the live change read cannot find the journal's head: " + e.getMessage(), e);
    }
  }
}
