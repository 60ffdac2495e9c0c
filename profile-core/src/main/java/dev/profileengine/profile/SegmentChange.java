package dev.profileengine.profile;

import dev.profileengine.profile.segment.SegmentDefinitions;
import java.time.Instant;
import java.util.List;

/**
 * A change of a profile's segment membership: the segments entered and left, and the whole
 * membership afterwards (sorted, as {@link ProfileState#memberships} gives it).
 */
public record SegmentChange(List<String> entered, List<String> left, List<String> members) {

  /**
   * How the membership recorded in {@code state} differs from its membership under
   * {@code definitions} as of {@code asOf} (null: the latest event time); null when it does not.
   */
  public static SegmentChange of(ProfileState state, SegmentDefinitions definitions, ProfileSettings s, Instant asOf) {
    return between(state.segments(), state.memberships(definitions, s, asOf));
  }

  /** The change from {@code before} to {@code members}; null when they are equal. */
  public static SegmentChange between(List<String> before, List<String> members) {
    if (members.equals(before)) return null;
    List<String> entered = members.stream().filter(m -> !before.contains(m)).toList();
    List<String> left = before.stream().filter(m -> !members.contains(m)).toList();
    return new SegmentChange(entered, left, members);
  }
}
