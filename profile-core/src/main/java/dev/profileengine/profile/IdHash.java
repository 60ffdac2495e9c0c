package dev.profileengine.profile;

import java.nio.charset.StandardCharsets;

/**
 * A 64-bit hash of an id: FNV-1a over the UTF-8 bytes and the length, finished with MurmurHash3's
 * fmix64 avalanche. Stored in snapshots ({@link SeenEvents}): its values must never change.
 */
public final class IdHash {
  private IdHash() {}

  public static long of(String id) {
    long h = 0xcbf29ce484222325L;
    for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
      h ^= (b & 0xff);
      h *= 0x100000001b3L;
    }
    return mix(h ^ id.length());
  }

  /** MurmurHash3's fmix64: every input bit affects every output bit. */
  public static long mix(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }
}
