package dev.profileengine.profile;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What happens to personal fields of an event before it is journaled: each configured field is
 * kept, replaced by its HMAC-SHA256 keyed by the salt ({@code "h:" + 64 hex digits}, the full
 * 256 bits, so equal values still compare equal in profiles and segments) or dropped. Applied once, in the entity, to every ingest path.
 *
 * @param actions field name (see {@link Field}) to action; fields not named are kept
 * @param salt secret mixed into every hash, so hashes cannot be reversed by a dictionary of values
 */
public record PiiPolicy(Map<Field, Action> actions, String salt) {

  public static final PiiPolicy KEEP_ALL = new PiiPolicy(Map.of(), "");

  /** Fields that may carry personal data. */
  public enum Field {
    DEVICE, OS, CHANNEL, COUNTRY, CITY, NETWORK, QUERY;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Field parse(String s) {
      for (Field f : values()) if (f.wire().equals(s)) return f;
      throw new IllegalArgumentException("unknown PII field '" + s + "': expected one of device, os, channel, country, city, network, query");
    }
  }

  public enum Action {
    KEEP, HASH, DROP;

    public static Action parse(String s) {
      for (Action a : values()) if (a.name().equalsIgnoreCase(s)) return a;
      throw new IllegalArgumentException("unknown PII action '" + s + "': expected keep, hash or drop");
    }
  }

  public PiiPolicy {
    actions = Map.copyOf(actions);
  }

  public boolean keepsAll() {
    return actions.values().stream().allMatch(a -> a == Action.KEEP);
  }

  /** The event as it may be stored. */
  public BehaviorEvent apply(BehaviorEvent e) {
    if (keepsAll()) return e;
    EventContext c = e.context();
    EventContext stored = c == null ? null : new EventContext(
        treat(Field.DEVICE, c.device()), treat(Field.OS, c.os()), treat(Field.CHANNEL, c.channel()),
        treat(Field.COUNTRY, c.country()), treat(Field.CITY, c.city()), treat(Field.NETWORK, c.network()));
    return new BehaviorEvent(e.eventId(), e.userId(), e.type(), e.timestamp(), e.itemId(), e.categoryId(), e.brand(),
        e.price(), e.quantity(), treat(Field.QUERY, e.query()), e.dwellMs(), e.pageDepth(), stored);
  }

  private String treat(Field f, String value) {
    if (value == null) return null;
    return switch (actions.getOrDefault(f, Action.KEEP)) {
      case KEEP -> value;
      case DROP -> null;
      case HASH -> hash(value);
    };
  }

  /** Whether {@code value} has the form {@link #hash} gives: "h:" + 64 lower-case hex digits. */
  public static boolean isHash(String value) {
    if (value.length() != 66 || !value.startsWith("h:")) return false;
    for (int i = 2; i < value.length(); i++) if (Character.digit(value.charAt(i), 16) < 0 || Character.isUpperCase(value.charAt(i))) return false;
    return true;
  }

  /** HMAC-SHA256 keyed by the salt, all 256 bits: "h:" + 64 hex digits. */
  public String hash(String value) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      // An empty salt only reaches here from tests: a starting node refuses it (StartupChecks).
      byte[] key = salt.isEmpty() ? new byte[1] : salt.getBytes(StandardCharsets.UTF_8);
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return "h:" + HexFormat.of().formatHex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 missing from the JVM", e);
    }
  }
}
