package dev.profileengine.profile;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Behavior counts by event time over the sliding windows 1h, 24h, 7d, 30d and lifetime. Three
 * sparse bucket series (minutes for 1h, hours for 24h, days for 7d/30d) keep memory bounded
 * whatever the history length: at most 60 + 24 + 30 buckets.
 */
public record WindowCounts(long[] lifetime, BucketSeries minutes, BucketSeries hours, BucketSeries days) {
  private static final long MINUTE = Duration.ofMinutes(1).toMillis();
  private static final long HOUR = Duration.ofHours(1).toMillis();
  private static final long DAY = Duration.ofDays(1).toMillis();

  /** The windows reported, in order: name, series granularity and length in buckets. */
  public enum Window {
    H1("1h"), H24("24h"), D7("7d"), D30("30d");

    private final String label;

    Window(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  /**
   * Equal count arrays of the series are shared (they are never written after construction): most
   * profiles' events fall in one minute, where all three series count the same. Snapshots read
   * back share them too; the values, and so the wire format, stay the same.
   */
  public WindowCounts {
    lifetime = SmallCounts.shared(lifetime); // most profiles' lifetime counts are a few events: one copy node-wide
    if (minutes != null && hours != null && days != null) {
      hours = hours.sharingCounts(minutes);
      days = days.sharingCounts(hours).sharingCounts(minutes);
    }
  }

  // Shared by every empty profile (each live entity also keeps its empty state): copy-on-write.
  private static final WindowCounts EMPTY = new WindowCounts(new long[BehaviorType.count()],
      BucketSeries.empty(MINUTE, 60), BucketSeries.empty(HOUR, 24), BucketSeries.empty(DAY, 30));

  public static WindowCounts empty() {
    return EMPTY;
  }

  public WindowCounts add(BehaviorType type, long timeMillis, long latestMillis) {
    long[] life = Arrays.copyOf(lifetime, lifetime.length);
    life[type.ordinal()]++;
    return new WindowCounts(life,
        minutes.add(type, timeMillis, latestMillis),
        hours.add(type, timeMillis, latestMillis),
        days.add(type, timeMillis, latestMillis));
  }

  /** Counts by type ordinal for one window ending at {@code asOfMillis}. */
  public long[] count(Window window, long asOfMillis) {
    return switch (window) {
      case H1 -> minutes.sum(asOfMillis, 60);
      case H24 -> hours.sum(asOfMillis, 24);
      case D7 -> days.sum(asOfMillis, 7);
      case D30 -> days.sum(asOfMillis, 30);
    };
  }

  /** All windows and lifetime, each keyed by behavior wire name: the {@code counts} of the profile view. */
  public Map<String, Map<String, Long>> view(long asOfMillis) {
    Map<String, Map<String, Long>> out = new LinkedHashMap<>();
    // The window sums are fresh arrays and lifetime is never changed in place (add copies it).
    for (Window w : Window.values()) out.put(w.label(), new TypeCounts(count(w, asOfMillis)));
    out.put("lifetime", new TypeCounts(lifetime));
    return out;
  }

  public long lifetime(BehaviorType type) {
    return lifetime[type.ordinal()];
  }
}
