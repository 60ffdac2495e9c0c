package dev.profileengine.profile;

import java.util.Arrays;

/**
 * Event ids already applied, remembered over the allowed-lateness horizon: the exactly-once guard.
 * Ids are kept as 64-bit hashes with their event time; entries older than
 * {@code latest - lateness} are forgotten because such events are rejected as too late anyway.
 * When more than {@code maxIds} are inside the horizon the oldest are forgotten too and
 * {@code floorMillis} rises to their time: events not newer than the floor are rejected, so an
 * event is never counted twice whatever the volume.
 */
public record SeenEvents(long floorMillis, long[] hashes, long[] times) {

  // Shared by every empty profile (each live entity also keeps its empty state): copy-on-write.
  private static final SeenEvents EMPTY = new SeenEvents(Long.MIN_VALUE, new long[0], new long[0]);

  public static SeenEvents empty() {
    return EMPTY;
  }

  public boolean contains(String eventId) {
    long h = IdHash.of(eventId);
    for (long x : hashes) if (x == h) return true;
    return false;
  }

  /** Remembers {@code eventId}; {@code latestMillis} is the profile's latest event time including it. */
  public SeenEvents add(String eventId, long timeMillis, long latestMillis, long latenessMillis, int maxIds) {
    long horizon = latestMillis - latenessMillis;
    int n = hashes.length;
    long[] h = new long[n + 1];
    long[] t = new long[n + 1];
    int k = 0;
    for (int i = 0; i < n; i++) {
      if (times[i] < horizon) continue;
      h[k] = hashes[i];
      t[k++] = times[i];
    }
    h[k] = IdHash.of(eventId);
    t[k++] = timeMillis;
    long floor = floorMillis;
    while (k > maxIds) {
      int oldest = 0;
      for (int i = 1; i < k; i++) if (t[i] < t[oldest]) oldest = i;
      floor = Math.max(floor, t[oldest]);
      h[oldest] = h[k - 1];
      t[oldest] = t[k - 1];
      k--;
    }
    return new SeenEvents(floor, k == h.length ? h : Arrays.copyOf(h, k), k == t.length ? t : Arrays.copyOf(t, k));
  }

  public int size() {
    return hashes.length;
  }
}
