package dev.profileengine.profile.segment;

/**
 * What segment rules can see of a profile: the value at a {@link FactPath}, null when the leaf is
 * unknown or there is no data. A profile's facts: {@code ProfileFacts}.
 */
public interface SegmentFacts {

  /** The value at {@code path}: a Number, String, Boolean, or null. */
  Object value(FactPath path);
}
