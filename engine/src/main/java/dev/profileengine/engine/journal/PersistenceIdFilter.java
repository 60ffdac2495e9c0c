package dev.profileengine.engine.journal;

import dev.profileengine.profile.IdHash;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A set of persistence ids that answers "certainly absent" or "maybe present": a Bloom filter
 * (about 10 bits and 1% false positives per id) that grows by adding a filter of twice the
 * capacity when the newest is full, so it never needs the ids again. Never a false "absent": a
 * maybe costs the caller the query it would have made anyway. Thread-safe: adds are serialised,
 * lookups are lock-free and see every add that happened before them.
 */
final class PersistenceIdFilter {
  private static final int HASHES = 7;
  private static final int BITS_PER_ID = 10;

  private record Stage(AtomicLongArray words, long bits, long capacity) {
    static Stage of(long capacity) {
      int words = (int) Math.min(Integer.MAX_VALUE - 8, Math.max(1, (capacity * BITS_PER_ID + 63) / 64));
      return new Stage(new AtomicLongArray(words), words * 64L, capacity);
    }
  }

  private volatile Stage[] stages;
  private long inNewest;

  /** @param capacity ids before the first growth */
  PersistenceIdFilter(long capacity) {
    stages = new Stage[] {Stage.of(Math.max(1, capacity))};
  }

  synchronized void add(String id) {
    long h1 = IdHash.of(id);
    long h2 = second(h1);
    Stage[] s = stages;
    for (Stage stage : s) if (contains(stage, h1, h2)) return; // already present (or a false positive: as good)
    Stage newest = s[s.length - 1];
    if (inNewest >= newest.capacity()) {
      Stage[] grown = java.util.Arrays.copyOf(s, s.length + 1);
      newest = grown[s.length] = Stage.of(newest.capacity() * 2);
      inNewest = 0;
      for (int i = 0; i < HASHES; i++) set(newest, h1 + i * h2);
      stages = grown; // published after its bits are set
    } else {
      for (int i = 0; i < HASHES; i++) set(newest, h1 + i * h2);
    }
    inNewest++;
  }

  /** False only when {@code id} was certainly never added. */
  boolean mightContain(String id) {
    long h1 = IdHash.of(id);
    long h2 = second(h1);
    for (Stage stage : stages) if (contains(stage, h1, h2)) return true;
    return false;
  }

  /** Bytes of the bit arrays (for the log line). */
  long bytes() {
    long b = 0;
    for (Stage stage : stages) b += stage.words().length() * 8L;
    return b;
  }

  private static boolean contains(Stage stage, long h1, long h2) {
    for (int i = 0; i < HASHES; i++) {
      long bit = Math.floorMod(h1 + i * h2, stage.bits());
      if ((stage.words().get((int) (bit >>> 6)) & (1L << bit)) == 0) return false;
    }
    return true;
  }

  private static void set(Stage stage, long combined) {
    long bit = Math.floorMod(combined, stage.bits());
    long mask = 1L << bit;
    stage.words().accumulateAndGet((int) (bit >>> 6), mask, (a, b) -> a | b);
  }

  /** The second hash of double hashing (h1 + i * h2), derived from the first: the id is read once. */
  private static long second(long h1) {
    return IdHash.mix(h1 ^ 0xC2B2AE3D27D4EB4FL) | 1;
  }
}
