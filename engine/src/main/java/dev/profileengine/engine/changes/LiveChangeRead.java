package dev.profileengine.engine.changes;

import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.japi.Pair;
import akka.stream.BoundedSourceQueue;
import akka.stream.QueueOfferResult;
import akka.stream.RestartSettings;
import akka.stream.javadsl.RestartSource;
import akka.stream.javadsl.Source;
import dev.profileengine.engine.changes.ChangeFeed.ProfileChanged;
import dev.profileengine.engine.journal.JournalCommits;
import dev.profileengine.engine.journal.JournalDatabase;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A node's one live read of the change tag, fanned out to its subscribers: the journal is read as
 * soon as the node commits to it ({@link JournalCommits}) and polled for other writers, each change
 * deserialized once, then offered to every registered subscriber's bounded queue.
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
  // Rows per read; a full page is followed by the next read at once.
  private static final int PAGE = 1000;

  private final ActorSystem<?> system;
  private final List<BoundedSourceQueue<ProfileChanged>> subscribers = new CopyOnWriteArrayList<>();
  // The running read's wake-up queue (one pending wake-up is enough: a read takes every row settled).
  private final AtomicReference<BoundedSourceQueue<Boolean>> wakes = new AtomicReference<>();

  /**
   * Starts reading the change tag after the journal's current head: whenever the node's journal
   * commits, and every {@code poll} for other writers (other nodes of a cluster, the erasure).
   */
  LiveChangeRead(ActorSystem<?> system, JournalTail tail, JournalDatabase database, Duration poll) {
    this.system = system;
    AtomicLong read = new AtomicLong(head(database));
    JournalCommits.get(system).onCommit(this::wake);
    // A failed query restarts from the last change read: subscribers see neither a gap nor a repeat.
    RestartSource.withBackoff(RESTART, () -> {
          Pair<BoundedSourceQueue<Boolean>, Source<Boolean, NotUsed>> queue = Source.<Boolean>queue(1).preMaterialize(system);
          wakes.set(queue.first());
          return Source.tick(Duration.ZERO, poll, Boolean.TRUE).merge(queue.second())
              .mapAsync(1, w -> database.run("the live change read", c -> tail.read(c, read.get(), PAGE)));
        })
        .runForeach(page -> {
          for (ProfileChanged c : page.changes()) {
            read.set(c.offset());
            publish(c);
          }
          read.set(page.readTo());
          if (page.more()) wake();
        }, system);
  }

  private void wake() {
    BoundedSourceQueue<Boolean> q = wakes.get();
    if (q != null) q.offer(Boolean.TRUE); // dropped when a wake-up is already pending
  }

  /**
   * Registers a subscriber now: every change read from here on is offered to the returned source,
   * which fails with {@link FellBehind} when more than {@code readAhead} changes wait in it.
   */
  Source<ProfileChanged, NotUsed> subscribe(int readAhead) {
    Pair<BoundedSourceQueue<ProfileChanged>, Source<ProfileChanged, NotUsed>> queue =
        Source.<ProfileChanged>queue(readAhead).preMaterialize(system);
    BoundedSourceQueue<ProfileChanged> q = queue.first();
    subscribers.add(q);
    // Dropped when its stream ends: on a quiet node no change would find it closed, and each one
    // kept held its queue's stream (about 2.7 KB) for good.
    return queue.second().watchTermination((notUsed, done) -> {
      done.whenComplete((d, failure) -> subscribers.remove(q));
      return notUsed;
    });
  }

  /** Subscribers attached to the live read now. */
  int subscribers() {
    return subscribers.size();
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
    try (var c = database.connection()) {
      return head(c);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("the live change read cannot find the journal's head: " + e.getMessage(), e);
    }
  }

  /** The journal's highest ordering now (0 when empty). */
  static long head(java.sql.Connection c) throws java.sql.SQLException {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT MAX(\"ordering\") FROM \"event_journal\"")) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }
}
