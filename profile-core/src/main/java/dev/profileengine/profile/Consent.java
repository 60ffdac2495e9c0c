package dev.profileengine.profile;

import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A user's consent choices per purpose. Only explicit choices are stored; a purpose the user never
 * decided on falls back to the configured default ({@link ConsentDefaults}).
 *
 * @param choices purpose wire name ({@code analytics}, {@code personalization}, {@code ads}) to granted
 * @param updatedAt when the choices last changed, null before any
 */
public record Consent(Map<String, Boolean> choices, Instant updatedAt) {

  public static final Consent NONE = new Consent(Map.of(), null);

  /** The purposes a user can grant or refuse. */
  public enum Purpose {
    /** Aggregate analytics about the user's behavior. */
    ANALYTICS,
    /** Predictions and recommendations computed for the user. */
    PERSONALIZATION,
    /** Membership in advertising audiences (segments marked {@code ads}). */
    ADS;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The purpose named {@code s}, or null when there is none by that name. */
    public static Purpose parse(String s) {
      for (Purpose p : values()) if (p.wire().equals(s)) return p;
      return null;
    }
  }

  /** The defaults of purposes a user never decided on. */
  public record ConsentDefaults(boolean analytics, boolean personalization, boolean ads) {
    public static ConsentDefaults grantedAll() {
      return new ConsentDefaults(true, true, true);
    }

    boolean of(Purpose p) {
      return switch (p) {
        case ANALYTICS -> analytics;
        case PERSONALIZATION -> personalization;
        case ADS -> ads;
      };
    }
  }

  public boolean granted(Purpose p, ConsentDefaults defaults) {
    Boolean choice = choices.get(p.wire());
    return choice != null ? choice : defaults.of(p);
  }

  /** These choices overlaid with {@code changes}. */
  public Consent with(Map<Purpose, Boolean> changes, Instant at) {
    Map<String, Boolean> next = new TreeMap<>(choices);
    changes.forEach((p, v) -> next.put(p.wire(), v));
    return new Consent(Map.copyOf(next), at);
  }

  /** Every purpose with its effective value, for readers. */
  public Map<String, Boolean> effective(ConsentDefaults defaults) {
    Map<String, Boolean> all = new TreeMap<>();
    for (Purpose p : Purpose.values()) all.put(p.wire(), granted(p, defaults));
    return all;
  }
}
