package dev.profileengine.profile;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a profile stands in the identity graph. A canonical profile holds the identities linked to
 * it, each with the profile it came with ({@code groups}: the key of the absorbed profile, or the
 * canonical's own key for identities linked to it directly), so an unmerge can split off exactly
 * what one merge brought. A merged-away profile only points at its canonical ({@code mergedInto}).
 *
 * @param groups linked identity key to the key of the profile it came with (never the profile's own key as identity)
 * @param mergedInto the canonical profile's key once this one is merged into it, else null
 * @param pending the other side of a merge or unmerge this profile started and must finish (recovered from the journal), else null
 * @param seenWith the user ids this identity was named with in links, sorted, at most one more than
 *     its type's {@code max-users} (kept when merged: it is the identity's own record)
 * @param blocked identity keys an unmerge split from this profile, sorted: identities carried by
 *     events may not link them to it again (an explicit identify may, and clears the block); a
 *     merged-away profile holds none (they passed to the canonical one with the merge)
 */
public record IdentityLinks(Map<String, String> groups, String mergedInto, Pending pending, List<String> seenWith, List<String> blocked) {
  public static final IdentityLinks NONE = new IdentityLinks(Map.of(), null, null, List.of(), List.of());

  /** A two-sided change this profile started: {@code MERGE} into {@code other}, or {@code SPLIT} of {@code other}'s group. */
  public record Pending(Kind kind, String other) {
    public enum Kind { MERGE, SPLIT }
  }

  public IdentityLinks {
    groups = groups == null || groups.isEmpty() ? Map.of() : Map.copyOf(new TreeMap<>(groups));
    seenWith = seenWith == null ? List.of() : List.copyOf(seenWith);
    // Absent in snapshots written before unmerges were remembered: nothing blocked.
    blocked = blocked == null || blocked.isEmpty() ? List.of() : List.copyOf(new java.util.TreeSet<>(blocked));
  }

  public IdentityLinks(Map<String, String> groups, String mergedInto, Pending pending, List<String> seenWith) {
    this(groups, mergedInto, pending, seenWith, List.of());
  }

  /** With {@code userIds} recorded as seen with this identity, keeping at most {@code limit} + 1 (enough to know it is over). */
  public IdentityLinks seen(List<String> userIds, int limit) {
    java.util.TreeSet<String> all = new java.util.TreeSet<>(seenWith);
    for (String u : userIds) if (all.size() <= limit) all.add(u);
    return new IdentityLinks(groups, mergedInto, pending, List.copyOf(all), blocked);
  }

  /** Whether this identity was seen with more than {@code limit} user ids (0: no limit). */
  public boolean shared(int limit) {
    return limit > 0 && seenWith.size() > limit;
  }

  /** The user ids among {@code userIds} not recorded yet (nothing to journal when empty or the record is full). */
  public List<String> unseen(List<String> userIds, int limit) {
    if (seenWith.size() > limit) return List.of();
    return userIds.stream().filter(u -> !seenWith.contains(u)).distinct().sorted().toList();
  }

  /** Merged into another profile: everything sent here goes there. */
  public boolean forwards() {
    return mergedInto != null;
  }

  /** Whether events sent under {@code key} belong to this profile (its own key or a linked one). */
  public boolean owns(String ownKey, String key) {
    return ownKey.equals(key) || groups.containsKey(key);
  }

  /** Every identity key of the profile, its own first, the linked ones in key order. */
  public List<String> keys(String ownKey) {
    List<String> all = new ArrayList<>(groups.size() + 1);
    all.add(ownKey);
    all.addAll(groups.keySet());
    return all;
  }

  /** Every identity of the profile, its own first, the linked ones in key order. */
  public List<Identity> identities(String ownKey) {
    return keys(ownKey).stream().map(Identity::ofKey).toList();
  }

  /** Whether the profile {@code key} was merged into this one (a repeated absorb of it is done already). */
  public boolean absorbed(String key) {
    return key.equals(groups.get(key));
  }

  /** The keys that came with the group of {@code key} (the group's own key included). */
  public List<String> groupOf(String key) {
    String group = groups.get(key);
    if (group == null) return List.of();
    return groups.entrySet().stream().filter(e -> e.getValue().equals(group)).map(Map.Entry::getKey).sorted().toList();
  }

  /** With {@code keys} linked as the group {@code group}. */
  public IdentityLinks linked(List<String> keys, String group) {
    Map<String, String> next = new TreeMap<>(groups);
    keys.forEach(k -> next.put(k, group));
    return new IdentityLinks(next, mergedInto, pending, seenWith, blocked);
  }

  /** Without {@code keys}. */
  public IdentityLinks unlinked(List<String> keys) {
    Map<String, String> next = new TreeMap<>(groups);
    keys.forEach(next::remove);
    return new IdentityLinks(next, mergedInto, pending, seenWith, blocked);
  }

  /** Merged away: only the pointer and the identity's own record stay (its blocks went to the canonical profile). */
  public IdentityLinks withMergedInto(String canonical) {
    return new IdentityLinks(Map.of(), canonical, null, seenWith, List.of());
  }

  public IdentityLinks withPending(Pending p) {
    return new IdentityLinks(groups, mergedInto, p, seenWith, blocked);
  }

  /** With {@code keys} blocked: an unmerge split them off, events may not link them here again. */
  public IdentityLinks blocking(List<String> keys) {
    List<String> next = new ArrayList<>(blocked);
    next.addAll(keys);
    return new IdentityLinks(groups, mergedInto, pending, seenWith, next);
  }

  /** Without the blocks on {@code keys} (they were linked again deliberately). */
  public IdentityLinks unblocked(List<String> keys) {
    if (blocked.isEmpty()) return this;
    return new IdentityLinks(groups, mergedInto, pending, seenWith, blocked.stream().filter(k -> !keys.contains(k)).toList());
  }
}
