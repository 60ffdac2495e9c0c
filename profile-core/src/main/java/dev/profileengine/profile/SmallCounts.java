package dev.profileengine.profile;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One shared instance of each small vector of per-behavior-type counts (every count 0..3), the
 * counts most live profiles hold: a profile with a few events keeps the same lifetime and bucket
 * counts as thousands of others. Callers never write such an array once it is made (copy-on-write
 * records), so equal ones can be one. Bounded: at most 4^{@link BehaviorType#count()} vectors of
 * each kind.
 */
final class SmallCounts {
  private static final int TYPES = BehaviorType.count();
  private static final int MAX = 3; // two bits per count
  private static final AtomicReferenceArray<long[]> LONGS = new AtomicReferenceArray<>(1 << (2 * TYPES));
  private static final AtomicReferenceArray<int[]> INTS = new AtomicReferenceArray<>(1 << (2 * TYPES));

  private SmallCounts() {}

  /** The shared vector equal to {@code counts}, or {@code counts} itself when it is not a small one. */
  static long[] shared(long[] counts) {
    if (counts == null || counts.length != TYPES) return counts;
    int key = 0;
    for (long c : counts) {
      if (c < 0 || c > MAX) return counts;
      key = key << 2 | (int) c;
    }
    long[] known = LONGS.compareAndExchange(key, null, counts);
    return known != null ? known : counts;
  }

  /** As {@link #shared(long[])}, for one bucket's counts. */
  static int[] shared(int[] counts) {
    if (counts == null || counts.length != TYPES) return counts;
    int key = 0;
    for (int c : counts) {
      if (c < 0 || c > MAX) return counts;
      key = key << 2 | c;
    }
    int[] known = INTS.compareAndExchange(key, null, counts);
    return known != null ? known : counts;
  }
}
