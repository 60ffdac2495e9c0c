package dev.profileengine.profile.identity;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which profile each unmerge block of a canonical profile came with, folded from its journal: its
 * own (an unmerge it made or a restore it got) or that of a profile merged into it, which passes its
 * blocks on. An unmerge of that profile gives back the blocks it brought ({@link #heldBy}) and the
 * canonical one keeps those it holds for itself or for another profile ({@link #onlyHeldBy} leave).
 * Not part of the profile's state: read from the journal when a split needs it.
 *
 * @param byKey blocked identity key to the profile keys it is held for, sorted
 */
public record BlockOrigins(Map<String, List<String>> byKey) {
  public static final BlockOrigins NONE = new BlockOrigins(Map.of());

  public BlockOrigins {
    byKey = byKey == null || byKey.isEmpty() ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(byKey));
  }

  /** The profile {@code self} blocked {@code keys} itself (an unmerge, or the side an unmerge restored). */
  public BlockOrigins own(String self, List<String> keys) {
    return adding(copy(), self, keys);
  }

  /**
   * The profile {@code from} merged in with its identity {@code keys} (linking them lifts every block
   * on them) and the blocks it held, {@code blocked}, which are now held for it.
   */
  public BlockOrigins absorbed(String from, List<String> keys, List<String> blocked) {
    Map<String, Set<String>> next = copy();
    keys.forEach(next::remove);
    return adding(next, from, blocked);
  }

  /** The profile {@code group} was split off: what was held only for it leaves with it. */
  public BlockOrigins splitOff(String group) {
    Map<String, Set<String>> next = copy();
    next.values().forEach(o -> o.remove(group));
    next.values().removeIf(Set::isEmpty);
    return of(next);
  }

  /** This profile ({@code self}) is canonical again with {@code blocked}: its own from now on. */
  public static BlockOrigins restored(String self, List<String> blocked) {
    return NONE.own(self, blocked);
  }

  /** The blocks held for {@code group}: what it takes back when it is split off. */
  public List<String> heldBy(String group) {
    return byKey.entrySet().stream().filter(e -> e.getValue().contains(group)).map(Map.Entry::getKey).sorted().toList();
  }

  /** The blocks held for {@code group} alone: what the canonical profile lifts when it is split off. */
  public List<String> onlyHeldBy(String group) {
    return byKey.entrySet().stream().filter(e -> e.getValue().equals(List.of(group))).map(Map.Entry::getKey).sorted().toList();
  }

  private Map<String, Set<String>> copy() {
    Map<String, Set<String>> m = new TreeMap<>();
    byKey.forEach((k, v) -> m.put(k, new TreeSet<>(v)));
    return m;
  }

  private static BlockOrigins adding(Map<String, Set<String>> m, String origin, List<String> keys) {
    for (String k : keys) m.computeIfAbsent(k, x -> new TreeSet<>()).add(origin);
    return of(m);
  }

  private static BlockOrigins of(Map<String, Set<String>> m) {
    Map<String, List<String>> out = new TreeMap<>();
    m.forEach((k, v) -> out.put(k, List.copyOf(v)));
    return new BlockOrigins(out);
  }
}
