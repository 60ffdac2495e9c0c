package dev.profileengine.profile;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Shared one-element arrays: a profile with a few events holds several (a window series' one bucket
 * start, an interest's one key and score), which every profile active in the same bucket, or with
 * the same one interest, holds equal. Direct-mapped: a slot keeps the
 * last array seen that hashes there (a collision replaces it), so the sharing is bounded by the
 * slots. Callers never write such an array once it is made (copy-on-write records).
 */
final class SharedSingles {
  private static final int BITS = 13;
  private static final AtomicReferenceArray<long[]> LONGS = new AtomicReferenceArray<>(1 << BITS);
  private static final AtomicReferenceArray<double[]> DOUBLES = new AtomicReferenceArray<>(1 << BITS);
  private static final AtomicReferenceArray<String[]> STRINGS = new AtomicReferenceArray<>(1 << BITS);

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

  /** As {@link #of(long[])}; equal means the same bits (so 0.0 and -0.0 stay apart). */
  static double[] of(double[] a) {
    if (a == null || a.length != 1) return a;
    long bits = Double.doubleToRawLongBits(a[0]);
    int slot = slot(bits);
    double[] known = DOUBLES.get(slot);
    if (known != null && Double.doubleToRawLongBits(known[0]) == bits) return known;
    DOUBLES.set(slot, a);
    return a;
  }

  /** As {@link #of(long[])}, for a non-null string. */
  static String[] of(String[] a) {
    if (a == null || a.length != 1 || a[0] == null) return a;
    int slot = slot(a[0].hashCode());
    String[] known = STRINGS.get(slot);
    if (known != null && known[0].equals(a[0])) return known;
    STRINGS.set(slot, a);
    return a;
  }

  private static int slot(long v) {
    return (int) ((v * 0x9E37_79B9_7F4A_7C15L) >>> (64 - BITS));
  }
}
