package dev.profileengine.gateway.wire;

import dev.profileengine.profile.EventValidation;
import dev.profileengine.profile.InstantRange;
import dev.profileengine.profile.TextChecks;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The checks of request parameters shared by HTTP and gRPC, so both refuse the same input with the
 * same field and message: instants ({@code asOf}) and ids in paths, query parameters and RPC fields.
 * Event bodies are checked by {@link EventJson} and {@code EventValidation}; JSON limits by {@link Json}.
 */
public final class RequestChecks {
  /** Longest user id, segment id or model version accepted anywhere (the events' id limit). */
  public static final int MAX_ID_LENGTH = EventValidation.MAX_ID_LENGTH;
  /** Longest instant text looked at: any valid ISO-8601 instant is shorter. */
  private static final int MAX_INSTANT_TEXT = 40;

  private RequestChecks() {}

  /** A parameter that is refused: the field it names and why (for a 400 or INVALID_ARGUMENT). */
  public static final class Invalid extends RuntimeException {
    private final String field;

    public Invalid(String field, String message) {
      super(message, null, false, false);
      this.field = field;
    }

    public String field() {
      return field;
    }
  }

  /**
   * An optional instant: null when absent or empty, {@code now}, or an ISO-8601 instant within
   * {@link InstantRange} (1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z).
   */
  public static Instant instant(String field, String raw) {
    if (raw == null || raw.isBlank()) return null;
    String a = raw.strip();
    if (a.equalsIgnoreCase("now")) return Instant.now();
    Instant value;
    try {
      if (a.length() > MAX_INSTANT_TEXT) throw new DateTimeParseException("too long", a, 0);
      value = Instant.parse(a);
    } catch (DateTimeParseException e) {
      throw new Invalid(field, "must be 'now' or an ISO-8601 instant (e.g. 2017-12-03T00:00:00Z), was '" + shown(a) + "'");
    }
    if (!InstantRange.contains(value)) throw new Invalid(field, "must be " + InstantRange.describe() + ", was " + value);
    return value;
  }

  /**
   * A required id (user id, segment id, model version): 1 to {@link #MAX_ID_LENGTH} characters, no
   * control characters, valid Unicode.
   */
  public static String id(String field, String value) {
    return text(field, value, MAX_ID_LENGTH);
  }

  private static String text(String field, String value, int maxLength) {
    String bad = TextChecks.requiredDecoded(value, maxLength);
    if (bad != null) throw new Invalid(field, bad);
    return value;
  }

  /** {@code s} for an error message: control characters escaped and cut at 40 characters. */
  public static String shown(String s) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && i < 40; i++) {
      char c = s.charAt(i);
      if (Character.isISOControl(c)) b.append(String.format("\\u%04x", (int) c));
      else b.append(c);
    }
    return s.length() > 40 ? b + "..." : b.toString();
  }
}
