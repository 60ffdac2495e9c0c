package dev.profileengine.profile.identity;

import dev.profileengine.profile.Identity;
import java.util.List;
import java.util.Optional;

/**
 * Whether identities carried by events may join profiles an operator split apart: an unmerge leaves
 * each side blocking the other ({@link dev.profileengine.profile.IdentityLinks#blocked}), so the
 * next event naming both identities again does not undo it. An explicit identify is not checked here:
 * it is the deliberate decision that links them again.
 */
public final class UnmergeBlocks {
  private UnmergeBlocks() {}

  /**
   * One canonical profile a link would join.
   *
   * @param canonical its key
   * @param keys its identity keys, its own included
   * @param blocked the keys it blocks
   */
  public record Side(String canonical, List<String> keys, List<String> blocked) {
    public Side {
      keys = List.copyOf(keys);
      blocked = blocked == null ? List.of() : List.copyOf(blocked);
    }
  }

  /** Which profile blocks which identity of another one. */
  public record Blocked(String profile, String key) {
    /** The request field that names the blocked identity. */
    public String field() {
      return IdentityRules.field(Identity.ofKey(key).type());
    }

    public String reason() {
      return "was unmerged from profile " + profile + " by an operator: identities on events do not link them again (POST /v1/identify does)";
    }
  }

  /** The first block among {@code sides} (in their order), or empty when events may join them. */
  public static Optional<Blocked> check(List<Side> sides) {
    for (Side s : sides) {
      if (s.blocked().isEmpty()) continue;
      for (Side other : sides) {
        if (other == s) continue;
        for (String k : other.keys()) if (s.blocked().contains(k)) return Optional.of(new Blocked(s.canonical(), k));
      }
    }
    return Optional.empty();
  }
}
