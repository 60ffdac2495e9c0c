package dev.profileengine.profile.segment;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The configured segments, in order. Build with {@link #parse} from the plain-map form of the
 * {@code profile.segments} configuration; evaluate a profile's membership with {@link #evaluate}.
 */
public record SegmentDefinitions(List<Segment> segments) {
  private static final Set<String> KEYS = Set.of("rule", "description", "ads");

  public SegmentDefinitions {
    segments = List.copyOf(segments);
    Set<String> ids = new TreeSet<>();
    for (Segment s : segments)
      if (!ids.add(s.id())) throw new IllegalArgumentException("segment '" + s.id() + "': defined twice");
  }

  public static SegmentDefinitions none() {
    return new SegmentDefinitions(List.of());
  }

  /**
   * Parses {@code id -> {rule = "...", description = "...", ads = false}} in the map's iteration
   * order. Fails on the first bad definition with a message naming the segment id and the problem
   * (for a rule that does not parse: the column and what was expected there).
   */
  public static SegmentDefinitions parse(Map<String, ?> byId) {
    List<Segment> out = new ArrayList<>(byId.size());
    byId.forEach((id, value) -> out.add(segment(id, value)));
    return new SegmentDefinitions(out);
  }

  private static Segment segment(String id, Object value) {
    if (!(value instanceof Map<?, ?> fields))
      throw new IllegalArgumentException("segment '" + id + "': expected an object {rule, description, ads}, got " + value);
    for (Object k : fields.keySet())
      if (!KEYS.contains(String.valueOf(k)))
        throw new IllegalArgumentException("segment '" + id + "': unknown key '" + k + "', expected rule, description or ads");
    if (!(fields.get("rule") instanceof String ruleText) || ruleText.isBlank())
      throw new IllegalArgumentException("segment '" + id + "': 'rule' must be a non-empty string");
    Object description = fields.get("description");
    if (description != null && !(description instanceof String))
      throw new IllegalArgumentException("segment '" + id + "': 'description' must be a string");
    Object ads = fields.get("ads");
    if (ads != null && !(ads instanceof Boolean))
      throw new IllegalArgumentException("segment '" + id + "': 'ads' must be true or false, got " + ads);
    SegmentRule rule;
    try {
      rule = SegmentRule.parse(ruleText);
    } catch (SegmentRuleSyntaxException e) {
      throw new IllegalArgumentException("segment '" + id + "': rule \"" + ruleText + "\": " + e.getMessage(), e);
    }
    return new Segment(id, (String) description, rule, Boolean.TRUE.equals(ads));
  }

  /** Ids of the segments a user with these facts belongs to, sorted; ads segments need {@code adsConsent}. */
  public SortedSet<String> evaluate(SegmentFacts facts, boolean adsConsent) {
    SortedSet<String> members = new TreeSet<>();
    for (Segment s : segments) if (s.includes(facts, adsConsent)) members.add(s.id());
    return members;
  }

  /**
   * Stable hash (16 hex digits of SHA-256) of every segment's id, ads flag and canonical rule text,
   * in order: changes when membership could change, not for descriptions or spacing.
   */
  public String fingerprint() {
    StringBuilder b = new StringBuilder();
    for (Segment s : segments) b.append(s.id()).append('\n').append(s.ads()).append('\n').append(s.rule().text()).append('\n');
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(b.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }
}
