package dev.profileengine.engine.profiles;

import akka.Done;
import akka.NotUsed;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import akka.stream.BackpressureTimeoutException;
import akka.stream.KillSwitches;
import akka.stream.OverflowStrategy;
import akka.stream.SharedKillSwitch;
import akka.stream.javadsl.Source;
import dev.profileengine.engine.changes.ChangeFeed;
import dev.profileengine.engine.changes.ProfileChange;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * One subscriber's change stream (SSE or gRPC): the journal-backed feed after an offset, read ahead
 * into a bounded buffer. The journal is the real buffer, so a slow subscriber only delays its own
 * query, never ingestion or other subscribers; one that takes no change for {@code maxStall}
 * (its connection is full) is closed with a {@link Closed} item naming the offset to resume from,
 * and loses nothing by resuming.
 */
public final class ChangeSubscription {
  private ChangeSubscription() {}

  public sealed interface Item permits Change, Closed {}

  public record Change(ChangeFeed.ProfileChanged change) implements Item {}

  /** The end of the stream: why, and the offset to resume from (the last change delivered). */
  public record Closed(String reason, long resumeFrom) implements Item {}

  /** Read-ahead size and the longest a subscriber may leave a change waiting. */
  public record Limits(int bufferSize, java.time.Duration maxStall) {}

  /**
   * The dispatcher a subscriber's stream runs on, up to its rendering: {@code .async(DISPATCHER)}
   * after the protocol's rendering of {@link #of}'s items. The journal catch-up, deserialization and
   * rendering of every subscriber share its few threads, so subscribers catching up (or never
   * reading) delay one another, never the requests served on the default dispatcher.
   */
  public static final String DISPATCHER = ChangeFeed.DISPATCHER;

  /** Users one subscription may name (HTTP {@code userId}, gRPC {@code user_ids}). */
  public static final int MAX_USER_IDS = 1000;

  /** Why a subscription names too many users, if it does (the protocols name the field). */
  public static Optional<String> tooManyUsers(int count) {
    return count > MAX_USER_IDS ? Optional.of("at most " + MAX_USER_IDS + " users per subscription, was " + count) : Optional.empty();
  }

  /** A change of {@code segment}'s membership: the user entered or left it (or was forgotten). */
  public static boolean touches(ChangeFeed.ProfileChanged c, String segment) {
    if (c.change() instanceof ProfileChange.Forgotten) return true;
    return c.change() instanceof ProfileChange.SegmentsChanged s && s.touches(segment);
  }

  /**
   * The node's signal to end its open streams with a {@code shutting_down} {@link Closed}. Each
   * stream listens through a kill switch, which drops a stream's listener when the stream ends: a
   * callback on one node-wide future kept every ended stream reachable (about 22 KB each, never freed).
   */
  public static final class Stopping {
    private final SharedKillSwitch streams = KillSwitches.shared("change-streams");
    private volatile boolean stopped;

    /** Ends every open stream (and any opened later) with its close. */
    public void stop() {
      stopped = true;
      streams.shutdown();
    }

    /** Stopped when {@code system} starts shutting down, before its ports unbind. */
    public static Stopping onShutdownOf(ActorSystem<?> system) {
      Stopping stopping = new Stopping();
      CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "close-change-streams", () -> {
        stopping.stop();
        // Give the streams a moment to write their close event before the ports unbind and the
        // connections are terminated.
        return CompletableFuture.supplyAsync(Done::getInstance,
            CompletableFuture.delayedExecutor(1, java.util.concurrent.TimeUnit.SECONDS));
      });
      return stopping;
    }
  }

  /** The changes after {@code offset} of {@code userIds} (empty: all) that pass {@code filter}, closing when {@code stopping} stops. */
  public static Source<Item, NotUsed> of(ChangeFeed feed, long offset, Set<String> userIds, Predicate<ChangeFeed.ProfileChanged> filter,
                                         Limits limits, ProfileMetrics metrics, Stopping stopping) {
    AtomicLong delivered = new AtomicLong(offset);
    // Asked for once the changes end (by the switch, or by a too_slow close: then nothing is added);
    // concatLazy, as concat would ask for it at once, while the node was not stopping.
    Source<Item, NotUsed> closeIfStopping = Source.lazySource(() -> stopping.stopped
            ? Source.<Item>single(new Closed("shutting_down: the node is stopping; resume from offset " + delivered.get() + " on another node", delivered.get()))
            : Source.<Item>empty())
        .mapMaterializedValue(m -> NotUsed.getInstance());
    return changes(feed, offset, userIds, filter, limits, metrics, delivered)
        .via(stopping.streams.<Item>flow())
        .concatLazy(closeIfStopping)
        .takeWhile(item -> !(item instanceof Closed), true);
  }

  private static Source<Item, NotUsed> changes(ChangeFeed feed, long offset, Set<String> userIds, Predicate<ChangeFeed.ProfileChanged> filter,
                                               Limits limits, ProfileMetrics metrics, AtomicLong delivered) {
    return feed.after(offset, userIds)
        .filter(filter::test)
        .buffer(limits.bufferSize(), OverflowStrategy.backpressure())
        .backpressureTimeout(limits.maxStall())
        .<Item>map(c -> {
          delivered.set(c.offset());
          metrics.changeLagSeconds.observe(Math.max(0, Instant.now().toEpochMilli() - c.at().toEpochMilli()) / 1e3);
          return new Change(c);
        })
        .recoverWithRetries(1, BackpressureTimeoutException.class, () -> {
          // Counted now, and the close offered for a while only: a subscriber that never reads again
          // never takes it either, and its stream (its subscriber place) must end all the same.
          metrics.changeStreamsClosed.labelValues("too_slow").inc();
          Closed closed = new Closed("too_slow: no change taken for " + limits.maxStall().toSeconds() + " s; resume from offset "
              + delivered.get() + " (Last-Event-ID or from)", delivered.get());
          return Source.<Item>single(closed).completionTimeout(closeGrace(limits))
              .recoverWithRetries(1, java.util.concurrent.TimeoutException.class, () -> Source.failed(new CloseNotTaken(closed)));
        });
  }

  /** How long a too_slow close waits to be taken: the stall limit, and at least 10 s. */
  static java.time.Duration closeGrace(Limits limits) {
    java.time.Duration least = java.time.Duration.ofSeconds(10);
    return limits.maxStall().compareTo(least) > 0 ? limits.maxStall() : least;
  }

  /**
   * How a stream ends whose subscriber took neither changes nor the too_slow close: nothing can reach
   * it, so the protocols end the response quietly (the client's fault, not the node's).
   */
  public static final class CloseNotTaken extends RuntimeException {
    public CloseNotTaken(Closed closed) {
      super(closed.reason() + " (the close was not taken either)", null, false, false);
    }
  }
}
