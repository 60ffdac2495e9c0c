package dev.profileengine.profile;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Field rules for a {@link BehaviorEvent}, checked before anything is persisted. Returns every
 * violated rule, each naming its field, so a client can fix a batch in one round trip.
 */
public final class EventValidation {
  public static final int MAX_ID_LENGTH = 128;
  /** The longest profile key of a typed identity: "~", a type name (32), ":", a value or its hash. */
  public static final int MAX_KEY_LENGTH = MAX_ID_LENGTH + 34;
  public static final int MAX_QUERY_LENGTH = 512;
  public static final int MAX_CONTEXT_LENGTH = 128;
  public static final double MAX_PRICE = 1_000_000_000d;
  public static final int MAX_QUANTITY = 1_000_000;
  public static final long MAX_DWELL_MS = Duration.ofDays(1).toMillis();
  public static final int MAX_PAGE_DEPTH = 100_000;
  /** Earliest accepted event time: anything before is a unit mistake (seconds sent as millis...). */
  public static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");

  private final Duration maxFutureSkew;

  public EventValidation(Duration maxFutureSkew) {
    this.maxFutureSkew = maxFutureSkew;
  }

  public static EventValidation defaults() {
    return new EventValidation(Duration.ofMinutes(5));
  }

  public List<FieldError> validate(BehaviorEvent e, Instant now) {
    List<FieldError> errors = new ArrayList<>(0);
    requiredId(errors, "eventId", e.eventId());
    // A profile key of another identity type ("~type:value", see identity.Identity) carries its type and a hashed value.
    if (e.userId() != null && e.userId().startsWith("~")) requiredText(errors, "userId", e.userId(), MAX_KEY_LENGTH);
    else refused(errors, "userId", TextChecks.profileId(e.userId(), MAX_ID_LENGTH));
    if (e.type() == null) errors.add(new FieldError("type", "is required"));
    if (e.timestamp() == null) {
      errors.add(new FieldError("timestamp", "is required"));
    } else if (e.timestamp().isAfter(now.plus(maxFutureSkew))) {
      errors.add(new FieldError("timestamp", "is more than " + maxFutureSkew.toMinutes()
          + " minutes in the future (" + e.timestamp() + " > now " + now + ")"));
    } else if (e.timestamp().isBefore(EARLIEST)) {
      // Most such times are epoch seconds sent as a number: say so when it looks like it.
      boolean seconds = e.timestamp().isAfter(Instant.EPOCH) && e.timestamp().isBefore(Instant.ofEpochSecond(4_102_444_800L / 1000));
      errors.add(new FieldError("timestamp", "is before " + EARLIEST + (seconds ? " (seconds sent where milliseconds are expected?)" : "")));
    }
    if (e.itemId() != null) refused(errors, "itemId", TextChecks.optionalId(e.itemId(), MAX_ID_LENGTH));
    if (e.categoryId() != null) refused(errors, "categoryId", TextChecks.optionalId(e.categoryId(), MAX_ID_LENGTH));
    if (e.brand() != null) refused(errors, "brand", TextChecks.optionalId(e.brand(), MAX_ID_LENGTH));
    optionalText(errors, "query", e.query(), MAX_QUERY_LENGTH);
    if (e.price() != null) {
      double p = e.price();
      if (Double.isNaN(p) || Double.isInfinite(p)) errors.add(new FieldError("price", "must be a finite number"));
      else if (p < 0) errors.add(new FieldError("price", "must not be negative (was " + p + ")"));
      else if (p > MAX_PRICE) errors.add(new FieldError("price", "must be at most " + (long) MAX_PRICE));
    }
    range(errors, "quantity", e.quantity(), 1, MAX_QUANTITY);
    range(errors, "dwellMs", e.dwellMs(), 0, MAX_DWELL_MS);
    range(errors, "pageDepth", e.pageDepth(), 0, MAX_PAGE_DEPTH);
    EventContext c = e.context();
    if (c != null) {
      optionalText(errors, "context.device", c.device(), MAX_CONTEXT_LENGTH);
      optionalText(errors, "context.os", c.os(), MAX_CONTEXT_LENGTH);
      optionalText(errors, "context.channel", c.channel(), MAX_CONTEXT_LENGTH);
      optionalText(errors, "context.country", c.country(), MAX_CONTEXT_LENGTH);
      optionalText(errors, "context.city", c.city(), MAX_CONTEXT_LENGTH);
      optionalText(errors, "context.network", c.network(), MAX_CONTEXT_LENGTH);
    }
    return errors;
  }

  private static void requiredId(List<FieldError> errors, String field, String value) {
    requiredText(errors, field, value, MAX_ID_LENGTH);
  }

  private static void requiredText(List<FieldError> errors, String field, String value, int maxLength) {
    refused(errors, field, TextChecks.required(value, maxLength));
  }

  private static void optionalText(List<FieldError> errors, String field, String value, int maxLength) {
    if (value != null) refused(errors, field, TextChecks.reason(value, maxLength));
  }

  private static void refused(List<FieldError> errors, String field, String reason) {
    if (reason != null) errors.add(new FieldError(field, reason));
  }

  /**
   * A client's integer for an event's int field (quantity, pageDepth): the int, or null with the
   * range error added when it is beyond an int, quoting the value sent (not one clamped to an int).
   */
  public static Integer intField(String field, Long value, long min, long max, List<FieldError> errors) {
    if (value == null) return null;
    if (value == value.intValue()) return value.intValue();
    range(errors, field, value, min, max);
    return null;
  }

  private static void range(List<FieldError> errors, String field, Number value, long min, long max) {
    if (value == null) return;
    long v = value.longValue();
    if (v < min) errors.add(new FieldError(field, (min == 0 ? "must not be negative" : "must be at least " + min) + " (was " + v + ")"));
    else if (v > max) errors.add(new FieldError(field, "must be at most " + max + " (was " + v + ")"));
  }
}
