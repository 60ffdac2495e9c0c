package dev.profileengine.model.inference;

/**
 * Which deployment serves a user: the primary, or the candidate for
 * {@code candidatePercent}% of users chosen by a stable hash of the user id (the same user
 * always sees the same arm, across restarts and nodes).
 */
record Routing(Deployment primary, Deployment candidate, int candidatePercent) {
  Routing {
    if (candidatePercent < 0 || candidatePercent > 100) throw new IllegalArgumentException("candidatePercent in [0, 100]");
  }

  Deployment route(String userId) {
    if (candidate == null || candidatePercent == 0) return primary;
    return bucket(userId) < candidatePercent ? candidate : primary;
  }

  /** 0..99 from a 64-bit FNV-1a hash of the UTF-16 user id. */
  static int bucket(String userId) {
    long h = 0xcbf29ce484222325L;
    String s = userId == null ? "" : userId;
    for (int i = 0; i < s.length(); i++) {
      h ^= s.charAt(i);
      h *= 0x100000001b3L;
    }
    return (int) Math.floorMod(h, 100L);
  }
}
