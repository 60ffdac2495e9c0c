package dev.profileengine.profile;

import java.util.Arrays;

/**
 * Per-behavior-type counts in fixed, aligned time buckets (e.g. one per minute), kept sparse and
 * only as far back as the widest window that reads them. Immutable: {@link #add} returns a copy.
 *
 * <p>A window of {@code n} buckets read at instant {@code asOf} covers the bucket holding
 * {@code asOf} and the {@code n - 1} buckets before it: windows are aligned to bucket boundaries.
 *
 * @param starts bucket start times (epoch millis, ascending)
 * @param counts {@code starts.length * BehaviorType.count()} counters, bucket-major
 */
public record BucketSeries(long bucketMillis, int retainBuckets, long[] starts, int[] counts) {
  private static final int TYPES = BehaviorType.count();

  /**
   * A one-bucket series of a few events has counts thousands of profiles share, and a start all
   * profiles active in that bucket share: one copy node-wide.
   */
  public BucketSeries {
    starts = SharedSingles.of(starts);
    counts = SmallCounts.shared(counts);
  }

  public static BucketSeries empty(long bucketMillis, int retainBuckets) {
    return new BucketSeries(bucketMillis, retainBuckets, new long[0], new int[0]);
  }

  /**
   * This series with {@code other}'s counts array when the two hold the same counts, else this
   * series: the arrays are never written once a series is made ({@link #add} copies), so equal ones
   * can be one.
   */
  BucketSeries sharingCounts(BucketSeries other) {
    if (counts == other.counts || !Arrays.equals(counts, other.counts)) return this;
    return new BucketSeries(bucketMillis, retainBuckets, starts, other.counts);
  }

  public long bucketOf(long timeMillis) {
    return Math.floorDiv(timeMillis, bucketMillis) * bucketMillis;
  }

  /** Earliest bucket start still worth keeping when the newest event is at {@code latestMillis}. */
  private long horizon(long latestMillis) {
    return bucketOf(latestMillis) - (retainBuckets - 1) * bucketMillis;
  }

  /**
   * Counts one behavior at {@code timeMillis}; {@code latestMillis} is the profile's latest event
   * time including this one. Buckets that fall out of the retained range are dropped.
   */
  public BucketSeries add(BehaviorType type, long timeMillis, long latestMillis) {
    long horizon = horizon(latestMillis);
    int from = 0;
    while (from < starts.length && starts[from] < horizon) from++;
    long bucket = bucketOf(timeMillis);
    if (bucket < horizon) return from == 0 ? this : copy(from, -1, 0, -1);
    int pos = Arrays.binarySearch(starts, from, starts.length, bucket);
    int index = pos >= 0 ? pos - from : -pos - 1 - from;
    return copy(from, pos >= 0 ? -1 : -pos - 1, bucket, index * TYPES + type.ordinal());
  }

  /**
   * Copy of the buckets from index {@code from} on, with an empty bucket {@code start} inserted at
   * {@code insertAt} (none if -1) and the counter {@code bump} of the copy incremented (none if -1):
   * before the series is made, as its counts may be shared once it is.
   */
  private BucketSeries copy(int from, int insertAt, long start, int bump) {
    int kept = starts.length - from;
    if (insertAt < 0) {
      int[] c = Arrays.copyOfRange(counts, from * TYPES, counts.length);
      if (bump >= 0) c[bump]++;
      return new BucketSeries(bucketMillis, retainBuckets, Arrays.copyOfRange(starts, from, starts.length), c);
    }
    long[] s = new long[kept + 1];
    int[] c = new int[(kept + 1) * TYPES];
    int before = insertAt - from;
    System.arraycopy(starts, from, s, 0, before);
    System.arraycopy(counts, from * TYPES, c, 0, before * TYPES);
    s[before] = start;
    System.arraycopy(starts, insertAt, s, before + 1, starts.length - insertAt);
    System.arraycopy(counts, insertAt * TYPES, c, (before + 1) * TYPES, (starts.length - insertAt) * TYPES);
    if (bump >= 0) c[bump]++;
    return new BucketSeries(bucketMillis, retainBuckets, s, c);
  }

  /** Counts by type ordinal over the {@code windowBuckets} buckets ending with the one holding {@code asOfMillis}. */
  public long[] sum(long asOfMillis, int windowBuckets) {
    long last = bucketOf(asOfMillis);
    long first = last - (long) (windowBuckets - 1) * bucketMillis;
    long[] total = new long[TYPES];
    for (int i = 0; i < starts.length; i++) {
      if (starts[i] < first || starts[i] > last) continue;
      for (int t = 0; t < TYPES; t++) total[t] += counts[i * TYPES + t];
    }
    return total;
  }

  public int size() {
    return starts.length;
  }
}
