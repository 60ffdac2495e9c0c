package dev.profileengine.profile.segment;

import java.util.regex.Pattern;

/**
 * One named audience: the users whose facts satisfy {@code rule}.
 *
 * @param id lower-case kebab id, e.g. {@code "abandoned-cart"}
 * @param description what the segment is for
 * @param rule membership rule
 * @param ads an advertising audience: users without ads consent are never members
 */
public record Segment(String id, String description, SegmentRule rule, boolean ads) {
  private static final Pattern ID = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

  public Segment {
    if (id == null || !ID.matcher(id).matches())
      throw new IllegalArgumentException("segment '" + id + "': the id must be lower-case kebab (a-z, 0-9, single dashes)");
    if (rule == null) throw new IllegalArgumentException("segment '" + id + "': no rule");
    description = description == null ? "" : description;
  }

  /** Whether a user with these facts and this ads consent is a member. */
  public boolean includes(SegmentFacts facts, boolean adsConsent) {
    return (!ads || adsConsent) && rule.matches(facts);
  }
}
