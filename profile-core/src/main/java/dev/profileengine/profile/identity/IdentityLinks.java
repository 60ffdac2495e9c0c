package dev.profileengine.profile.identity;

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
 */
public record IdentityLinks(Map<String, String> groups, String mergedInto, Pending pending) {
  public static final IdentityLinks NONE = new IdentityLinks(Map.of(), null, null);

  /** A two-sided change this profile started: {@code MERGE} into {@code other}, or {@code SPLIT} of {@code other}'s group. */
  public record Pending(Kind kind, String other) {
    public enum Kind { MERGE, SPLIT }
  }

  public IdentityLinks {
    groups = groups == null || groups.isEmpty() ? Map.of() : Map.copyOf(new TreeMap<>(groups));
  }

  /** Merged into another profile: everything sent here goes there. */
  public boolean forwards() {
    return mergedInto != null;
  }

  /** Whether events sent under {@code key} belong to this profile (its own key or a linked one). */
  public boolean owns(String ownKey, String key) {
    return ownKey.equals(key) || groups.containsKey(key);
  }

  /** Every identity of the profile, its own first, the linked ones in key order. */
  public List<Identity> identities(String ownKey) {
    List<Identity> all = new ArrayList<>(groups.size() + 1);
    all.add(Identity.ofKey(ownKey));
    groups.keySet().forEach(k -> all.add(Identity.ofKey(k)));
    return all;
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
    return new IdentityLinks(next, mergedInto, pending);
  }

  /** Without {@code keys}. */
  public IdentityLinks unlinked(List<String> keys) {
    Map<String, String> next = new TreeMap<>(groups);
    keys.forEach(next::remove);
    return new IdentityLinks(next, mergedInto, pending);
  }

  public IdentityLinks withMergedInto(String canonical) {
    return new IdentityLinks(Map.of(), canonical, null);
  }

  public IdentityLinks withPending(Pending p) {
    return new IdentityLinks(groups, mergedInto, p);
  }
}
