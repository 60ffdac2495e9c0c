package dev.profileengine.profile;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Shared one-element arrays: a profile with a few events holds several (a window series' one bucket
 * start), which every profile active in the same bucket holds equal. Direct-mapped: a slot keeps the
 * last array seen that hashes there (a collision replaces it), so the sharing is bounded by the
 * slots. Callers never write such an array once it is made (copy-on-write records).
 */
final class SharedSingles {
  private static final int BITS = 13;
  private static final AtomicReferenceArray<long[]> LONGS = new AtomicReferenceArray<>(1 << BITS);

  private SharedSingles() {}

  /** An array equal to {@code a} kept in its slot when {@code a} has one element (else {@code a} itself). */
  static long[] of(long[] a) {
    if (a == null || a.length != 1) return a;
    int slot = slot(a[0]);
    long[] known = LONGS.get(slot);
    if (known != null && known[0] == a[0]) return known;
    LONGS.set(slot, a);
    return a;
  }

  private static int slot(long v) {
    return (int) ((v * 0x9E37_79B9_7F4A_7C15L) >>> (64 - BITS));
  }
}
