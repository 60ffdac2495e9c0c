package dev.profileengine.profile;

import java.time.Instant;

/**
 * The instants a reading may refer to ({@code asOf} of a profile read or a segment
 * re-evaluation): 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z. Requests outside are refused
 * at the API; the profile math clamps anyway, because {@link Instant#toEpochMilli()} overflows past
 * year ~292 million and an exception inside an entity stops it and drops its queued commands.
 */
public final class InstantRange {
  public static final Instant EARLIEST = Instant.EPOCH;
  public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");
  public static final long EARLIEST_MILLIS = EARLIEST.toEpochMilli();
  public static final long LATEST_MILLIS = LATEST.toEpochMilli();

  private InstantRange() {}

  public static boolean contains(Instant t) {
    return !t.isBefore(EARLIEST) && !t.isAfter(LATEST);
  }

  /** {@code t} moved into the range (null stays null). */
  public static Instant clamp(Instant t) {
    if (t == null) return null;
    if (t.isBefore(EARLIEST)) return EARLIEST;
    if (t.isAfter(LATEST)) return LATEST;
    return t;
  }

  /** Epoch milliseconds of {@code t} clamped into the range: never overflows. */
  public static long millis(Instant t) {
    return clamp(t).toEpochMilli();
  }

  /** The range as users read it in error messages. */
  public static String describe() {
    return "from " + EARLIEST + " to 9999-12-31T23:59:59.999Z";
  }
}
