package dev.profileengine.profile.identity;

import dev.profileengine.profile.Identity;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Which identities may be linked into one profile: the types a client may send (besides
 * {@code userId} and {@code anonymousId}), which of them are unique per profile (at most one value:
 * a person has one customer id, one e-mail), which are personal data (hashed with the node's salt
 * before they become keys), and how many identities one profile may hold.
 *
 * @param types configured type name to its rule; {@code userId} is always unique, {@code anonymousId} never
 * @param maxIdentities most identities one profile may hold, its own included
 * @param enabled false: identities are never linked (identify and unmerge are refused, identities on
 *     events ignored; an event sent under an anonymous id still goes to that id's own profile)
 */
public record IdentityRules(Map<String, TypeRule> types, int maxIdentities, boolean enabled) {
  /**
   * @param unique at most one value per profile
   * @param hashed a PII type: values are hashed before use
   * @param maxUsers for a type that is not unique, the most user ids one identity may be seen with
   *     before it counts as shared (a family tablet, a shop's kiosk) and stops being merged; 0: no limit
   */
  public record TypeRule(boolean unique, boolean hashed, int maxUsers) {
    public TypeRule(boolean unique, boolean hashed) {
      this(unique, hashed, 0);
    }

    public TypeRule {
      if (maxUsers < 0) throw new IllegalArgumentException("max-users must not be negative, was " + maxUsers);
    }
  }

  /** Why a link is refused: the field named and the reason. */
  public record Conflict(String field, String reason) {}

  private static final Pattern TYPE_NAME = Pattern.compile("[a-zA-Z][a-zA-Z0-9_]{0,31}");
  private static final String MISSPELLED = "unknown identity type: type names are letters, digits and _ (at most 32)";

  public IdentityRules {
    types = Map.copyOf(types);
    for (String t : types.keySet()) {
      if (!typeName(t) || t.equals(Identity.USER_ID) || t.equals(Identity.ANONYMOUS_ID))
        throw new IllegalArgumentException("identity type '" + t + "': a name of letters, digits and _ (not userId or anonymousId)");
    }
    if (maxIdentities < 2) throw new IllegalArgumentException("max-identities must be at least 2, was " + maxIdentities);
  }

  /** Whether {@code name} is spelled as an identity type may be: a letter, then letters, digits and _ (at most 32). */
  public static boolean typeName(String name) {
    return TYPE_NAME.matcher(name).matches();
  }

  /**
   * Why a client's identity types are refused before any is named in an answer (a request may carry
   * anything as a type), else null. The reason quotes none of them.
   */
  public static String misspelledType(Collection<String> types) {
    return types.stream().allMatch(IdentityRules::typeName) ? null : MISSPELLED;
  }

  /**
   * Why a client may not send identities of {@code type} (spelled as no type may be, or not one of
   * {@link #typeNames}), else null. The reason quotes nothing of {@code type}.
   */
  public String unknownType(String type) {
    if (!typeName(type)) return MISSPELLED;
    return knows(type) ? null : "unknown identity type; known: " + String.join(", ", typeNames());
  }

  /**
   * Why {@code key}, a profile id starting with {@code ~}, is not a key {@link Identity#key} could
   * have made under these rules; null when it could. A personal type's value must be its hash: a
   * key holding the address itself would store it unhashed.
   */
  public String keyProblem(String key) {
    int colon = key.indexOf(':');
    if (!key.startsWith(Identity.TYPED_PREFIX) || colon < 0)
      return "must be a user id (without '~') or an identity's key ~type:value, e.g. ~anonymousId:cookie-7f3";
    String type = key.substring(Identity.TYPED_PREFIX.length(), colon);
    String value = key.substring(colon + 1);
    if (Identity.USER_ID.equals(type)) return "a user id is its own key: leave out '~userId:'";
    String unknown = unknownType(type);
    if (unknown != null) return unknown;
    if (value.isBlank()) return "must name a value after '~" + type + ":'";
    if (hashed(type) && !dev.profileengine.profile.PiiPolicy.isHash(value))
      return "names personal data by its value: read it with ?identity=" + type + ":<value>, which the node hashes";
    return null;
  }

  public static IdentityRules defaults() {
    return new IdentityRules(Map.of(
        "email", new TypeRule(true, true),
        "phone", new TypeRule(true, true),
        "device", new TypeRule(false, false, 3)), 50, true);
  }

  /** Whether a client may send identities of {@code type}. */
  public boolean knows(String type) {
    return Identity.USER_ID.equals(type) || Identity.ANONYMOUS_ID.equals(type) || types.containsKey(type);
  }

  public boolean unique(String type) {
    if (Identity.USER_ID.equals(type)) return true;
    TypeRule r = types.get(type);
    return r != null && r.unique();
  }

  /** The most user ids an identity of {@code type} may be seen with before it is shared (0: no limit). */
  public int maxUsers(String type) {
    TypeRule r = types.get(type);
    return r == null || r.unique() ? 0 : r.maxUsers();
  }

  public boolean hashed(String type) {
    TypeRule r = types.get(type);
    return r != null && r.hashed();
  }

  /** The identity types a client may send, sorted. */
  public Set<String> typeNames() {
    Set<String> names = new TreeSet<>(types.keySet());
    names.add(Identity.USER_ID);
    names.add(Identity.ANONYMOUS_ID);
    return names;
  }

  /**
   * Whether profiles holding {@code profiles} (each a list of identities) may become one: empty
   * when they may, else the first conflict (two values of a unique type, or too many identities).
   */
  public Optional<Conflict> check(List<List<Identity>> profiles) {
    List<Identity> all = new ArrayList<>();
    profiles.forEach(all::addAll);
    Map<String, String> seen = new java.util.TreeMap<>();
    for (Identity i : all) {
      if (!unique(i.type())) continue;
      String before = seen.putIfAbsent(i.type(), i.value());
      if (before != null && !before.equals(i.value()))
        return Optional.of(new Conflict(field(i.type()), "the profiles hold different " + i.type() + " values: a profile holds at most one"));
    }
    long distinct = all.stream().map(Identity::key).distinct().count();
    if (distinct > maxIdentities)
      return Optional.of(new Conflict("identities", "the merged profile would hold " + distinct + " identities, at most " + maxIdentities + " allowed"));
    return Optional.empty();
  }

  /**
   * Most split-off identities a profile keeps from being linked again by events (each unmerge adds
   * its own): four times {@link #maxIdentities}, so a profile's memory stays bounded.
   */
  public int maxBlocked() {
    return 4 * maxIdentities;
  }

  /** The request field that names identities of {@code type}. */
  public static String field(String type) {
    return Identity.USER_ID.equals(type) || Identity.ANONYMOUS_ID.equals(type) ? type : "identities." + type;
  }
}
