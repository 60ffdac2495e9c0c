package dev.profileengine.engine;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/** {@code profile.segment-recheck}, for {@code segments.SegmentRecheck}; {@code interval} empty when off. */
public record SegmentRecheckSettings(Optional<Duration> interval, Clock clock) {

  /** What "now" is for the re-check. */
  public enum Clock {
    /** The wall clock: live traffic. */
    WALL,
    /** The latest event time this node has journaled ({@link EventTimeWatermark}): replays of historical data. */
    EVENTS
  }

  public static SegmentRecheckSettings from(Config root) {
    Config c = root.getConfig("profile.segment-recheck");
    String clock = c.getString("clock").trim().toUpperCase(Locale.ROOT);
    Clock parsed;
    try {
      parsed = Clock.valueOf(clock);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("profile.segment-recheck.clock (PROFILE_SEGMENT_CLOCK) must be wall or events, not '" + c.getString("clock") + "'");
    }
    boolean off = c.getString("interval").trim().equalsIgnoreCase("off");
    Optional<Duration> interval = off ? Optional.empty() : Optional.of(c.getDuration("interval"));
    interval.ifPresent(d -> {
      if (d.isNegative() || d.isZero())
        throw new IllegalArgumentException("profile.segment-recheck.interval (PROFILE_SEGMENT_RECHECK_INTERVAL) must be positive or off");
    });
    return new SegmentRecheckSettings(interval, parsed);
  }
}
