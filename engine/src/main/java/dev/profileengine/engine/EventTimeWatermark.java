package dev.profileengine.engine;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The latest event time this node has journaled since it started: the node's event-time clock.
 * For live traffic it follows the wall clock; for a replay of historical data it is the replay's
 * "now". The segment re-check can run on it ({@code PROFILE_SEGMENT_CLOCK=events}).
 */
public final class EventTimeWatermark implements Extension {
  private static final ExtensionId<EventTimeWatermark> ID = new ExtensionId<>() {
    @Override
    public EventTimeWatermark createExtension(ActorSystem<?> system) {
      return new EventTimeWatermark();
    }
  };

  private final AtomicLong latestMillis = new AtomicLong(Long.MIN_VALUE);

  public static EventTimeWatermark get(ActorSystem<?> system) {
    return system.registerExtension(ID);
  }

  /** Records that an event of time {@code eventMillis} was journaled. */
  public void advance(long eventMillis) {
    latestMillis.accumulateAndGet(eventMillis, Math::max);
  }

  /** The latest event time journaled on this node, empty before the first. */
  public Optional<Instant> current() {
    long m = latestMillis.get();
    return m == Long.MIN_VALUE ? Optional.empty() : Optional.of(Instant.ofEpochMilli(m));
  }
}
