package dev.profileengine.profile;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One identifier of a person: a type ({@code userId}, {@code anonymousId}, or a configured one such
 * as {@code email} or {@code device}) and its value (hashed for PII types before it gets here).
 * Each identity has one profile key: a {@code userId} is its own key, as it always was; any other
 * type is {@code "~" + type + ":" + value}, which no user id may start with, so the two never meet.
 */
public record Identity(String type, String value) implements Comparable<Identity> {
  public static final String USER_ID = "userId";
  public static final String ANONYMOUS_ID = "anonymousId";
  /** Marks a profile key that is not a user id. */
  public static final String TYPED_PREFIX = "~";

  public Identity {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(value, "value");
  }

  public static Identity userId(String value) {
    return new Identity(USER_ID, value);
  }

  public static Identity anonymousId(String value) {
    return new Identity(ANONYMOUS_ID, value);
  }

  /** The key of the profile (entity) this identity names. */
  public String key() {
    return USER_ID.equals(type) ? value : TYPED_PREFIX + type + ":" + value;
  }

  /** The identity a profile key names (inverse of {@link #key()}). */
  public static Identity ofKey(String key) {
    if (!key.startsWith(TYPED_PREFIX)) return userId(key);
    int colon = key.indexOf(':');
    if (colon < 0) return userId(key);
    return new Identity(key.substring(1, colon), key.substring(colon + 1));
  }

  /** {@code identities} by type, values sorted (how profiles and link answers list them). */
  public static Map<String, List<String>> byType(Collection<Identity> identities) {
    Map<String, List<String>> byType = new TreeMap<>();
    for (Identity i : identities) byType.computeIfAbsent(i.type(), t -> new ArrayList<>()).add(i.value());
    byType.replaceAll((t, values) -> values.stream().sorted().toList());
    return byType;
  }

  /** Ranks identities for the choice of a canonical profile: user ids first, then anonymous ids, then the rest. */
  int rank() {
    return USER_ID.equals(type) ? 0 : ANONYMOUS_ID.equals(type) ? 1 : 2;
  }

  @Override
  public int compareTo(Identity o) {
    int c = Integer.compare(rank(), o.rank());
    if (c != 0) return c;
    c = type.compareTo(o.type);
    return c != 0 ? c : value.compareTo(o.value);
  }

  @Override
  public String toString() {
    return type + ":" + value;
  }
}
