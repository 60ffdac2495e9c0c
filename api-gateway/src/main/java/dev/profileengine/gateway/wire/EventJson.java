package dev.profileengine.gateway.wire;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profileengine.engine.profiles.DecodedEvent;
import dev.profileengine.profile.BehaviorEvent;
import dev.profileengine.profile.BehaviorType;
import dev.profileengine.profile.EventContext;
import dev.profileengine.profile.EventValidation;
import dev.profileengine.profile.FieldError;
import dev.profileengine.profile.identity.IdentityClaim;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Turns one JSON event into a {@link BehaviorEvent} ({@link DecodedEvent}), or into the list of fields that are of the
 * wrong JSON type or unreadable. Field rules (required, lengths, ranges) are the domain's
 * {@code EventValidation}, applied afterwards. A field this format does not have rejects the event
 * naming it (a misspelt {@code prize} would otherwise drop the price unseen). {@code anonymousId} and
 * {@code identities} decide the event's profile as {@link EventIdentity} says.
 */
public final class EventJson {
  private EventJson() {}

  private static final java.util.Set<String> FIELDS = java.util.Set.of("eventId", "userId", "anonymousId", "identities", "type",
      "timestamp", "itemId", "categoryId", "brand", "price", "quantity", "query", "dwellMs", "pageDepth", "context");
  private static final java.util.Set<String> CONTEXT_FIELDS = java.util.Set.of("device", "os", "channel", "country", "city", "network");

  /** One error for the first field of {@code node} not in {@code known} (one is enough to find the typo). */
  private static void unknownFields(JsonNode node, java.util.Set<String> known, String prefix, List<FieldError> errors) {
    for (java.util.Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!known.contains(name)) {
        errors.add(new FieldError(prefix + RequestChecks.shown(name), "unknown field: expected one of "
            + known.stream().sorted().toList()));
        return;
      }
    }
  }

  public static DecodedEvent decode(JsonNode node, Function<IdentityClaim, IdentityClaim.Resolved> resolver) {
    List<FieldError> errors = new ArrayList<>(0);
    if (node == null || !node.isObject()) {
      errors.add(new FieldError("event", "must be a JSON object, was " + kind(node)));
      return DecodedEvent.unreadable(null, errors);
    }
    String eventId = id(node, "eventId", errors);
    unknownFields(node, FIELDS, "", errors);
    String userId = id(node, "userId", errors);
    BehaviorType type = type(node, errors);
    Instant timestamp = timestamp(node.get("timestamp"), errors);
    String itemId = id(node, "itemId", errors);
    String categoryId = id(node, "categoryId", errors);
    String brand = text(node.get("brand"), "brand", errors);
    Double price = number(node, "price", errors);
    Integer quantity = EventValidation.intField("quantity", integer(node, "quantity", errors), 1, EventValidation.MAX_QUANTITY, errors);
    String query = text(node.get("query"), "query", errors);
    Long dwellMs = integer(node, "dwellMs", errors);
    Integer pageDepth = EventValidation.intField("pageDepth", integer(node, "pageDepth", errors), 0, EventValidation.MAX_PAGE_DEPTH, errors);
    EventContext context = context(node.get("context"), errors);
    String anonymousId = id(node, "anonymousId", errors);
    Map<String, String> identities = IdentityWire.identities(node.get("identities"), errors);
    if (!errors.isEmpty()) return DecodedEvent.unreadable(eventId, errors);
    BehaviorEvent e = new BehaviorEvent(eventId, userId, type, timestamp, itemId, categoryId, brand, price,
        quantity, query, dwellMs, pageDepth, context);
    return EventIdentity.decoded(e, anonymousId, identities, resolver);
  }

  /** The event in the wire format {@link #decode} reads (absent fields omitted). */
  public static java.util.Map<String, Object> encode(BehaviorEvent e) {
    java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("eventId", e.eventId());
    m.put("userId", e.userId());
    m.put("type", e.type().wire());
    m.put("timestamp", e.timestamp());
    putIfPresent(m, "itemId", e.itemId());
    putIfPresent(m, "categoryId", e.categoryId());
    putIfPresent(m, "brand", e.brand());
    putIfPresent(m, "price", e.price());
    putIfPresent(m, "quantity", e.quantity());
    putIfPresent(m, "query", e.query());
    putIfPresent(m, "dwellMs", e.dwellMs());
    putIfPresent(m, "pageDepth", e.pageDepth());
    EventContext c = e.context();
    if (c != null) {
      java.util.Map<String, Object> ctx = new java.util.LinkedHashMap<>();
      putIfPresent(ctx, "device", c.device());
      putIfPresent(ctx, "os", c.os());
      putIfPresent(ctx, "channel", c.channel());
      putIfPresent(ctx, "country", c.country());
      putIfPresent(ctx, "city", c.city());
      putIfPresent(ctx, "network", c.network());
      if (!ctx.isEmpty()) m.put("context", ctx);
    }
    return m;
  }

  private static void putIfPresent(java.util.Map<String, Object> m, String key, Object value) {
    if (value != null) m.put(key, value);
  }

  private static boolean absent(JsonNode v) {
    return v == null || v.isNull() || v.isMissingNode();
  }

  public static String kind(JsonNode v) {
    if (absent(v)) return "null";
    if (v.isTextual()) return "a string";
    if (v.isNumber()) return "a number";
    if (v.isBoolean()) return "a boolean";
    if (v.isArray()) return "an array";
    return "an object";
  }

  /** Ids: a string, or an integer (numeric ids such as Taobao's are common). */
  private static String id(JsonNode node, String field, List<FieldError> errors) {
    JsonNode v = node.get(field);
    if (absent(v)) return null;
    if (v.isTextual()) return v.textValue();
    if (v.isIntegralNumber()) return v.bigIntegerValue().toString();
    errors.add(new FieldError(field, "must be a string, was " + kind(v)));
    return null;
  }

  private static String text(JsonNode v, String field, List<FieldError> errors) {
    if (absent(v)) return null;
    if (v.isTextual()) return v.textValue();
    errors.add(new FieldError(field, "must be a string, was " + kind(v)));
    return null;
  }

  private static Double number(JsonNode node, String field, List<FieldError> errors) {
    JsonNode v = node.get(field);
    if (absent(v)) return null;
    if (v.isNumber()) return v.doubleValue();
    errors.add(new FieldError(field, "must be a number, was " + kind(v)));
    return null;
  }

  private static Long integer(JsonNode node, String field, List<FieldError> errors) {
    JsonNode v = node.get(field);
    if (absent(v)) return null;
    if (v.isIntegralNumber() && v.canConvertToLong()) return v.longValue();
    if (v.isNumber() && !v.isIntegralNumber() && v.doubleValue() == Math.rint(v.doubleValue()) && Math.abs(v.doubleValue()) < 9e15) {
      return (long) v.doubleValue();
    }
    errors.add(new FieldError(field, v.isNumber() ? "must be a whole number in range, was " + v.asText() : "must be a whole number, was " + kind(v)));
    return null;
  }

  private static BehaviorType type(JsonNode node, List<FieldError> errors) {
    JsonNode v = node.get("type");
    if (absent(v)) return null; // "is required" comes from validation
    if (!v.isTextual()) {
      errors.add(new FieldError("type", "must be a string, was " + kind(v)));
      return null;
    }
    return BehaviorType.fromWire(v.textValue()).orElseGet(() -> {
      String shown = v.textValue().length() > 40 ? v.textValue().substring(0, 40) + "..." : v.textValue();
      errors.add(new FieldError("type", "unknown behavior type '" + shown + "', expected one of " + BehaviorType.wireNames()));
      return null;
    });
  }

  /** An ISO-8601 instant (or date-time with offset), or epoch milliseconds as a number or digit string. */
  public static Instant timestamp(JsonNode v, List<FieldError> errors) {
    if (absent(v)) return null;
    if (v.isIntegralNumber()) {
      if (v.canConvertToLong()) {
        long ms = v.longValue();
        if (ms >= -10_000_000_000_000L && ms <= 10_000_000_000_000L) return Instant.ofEpochMilli(ms);
      }
      errors.add(new FieldError("timestamp", "epoch milliseconds out of range: " + v.asText()));
      return null;
    }
    if (v.isTextual()) {
      String s = v.textValue().strip();
      if (!s.isEmpty() && s.chars().allMatch(Character::isDigit) && s.length() <= 15) return Instant.ofEpochMilli(Long.parseLong(s));
      try {
        return Instant.parse(s);
      } catch (DateTimeParseException e) {
        try {
          return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e2) {
          String shown = s.length() > 40 ? s.substring(0, 40) + "..." : s;
          errors.add(new FieldError("timestamp", "'" + shown + "' is neither an ISO-8601 instant (e.g. 2017-11-26T01:00:00Z) nor epoch milliseconds"));
          return null;
        }
      }
    }
    errors.add(new FieldError("timestamp", v.isNumber() ? "must be a whole number of epoch milliseconds, was " + RequestChecks.shown(v.asText())
        : "must be an ISO-8601 string or epoch milliseconds, was " + kind(v)));
    return null;
  }

  private static EventContext context(JsonNode v, List<FieldError> errors) {
    if (absent(v)) return null;
    if (!v.isObject()) {
      errors.add(new FieldError("context", "must be an object, was " + kind(v)));
      return null;
    }
    unknownFields(v, CONTEXT_FIELDS, "context.", errors);
    return new EventContext(
        text(v.get("device"), "context.device", errors),
        text(v.get("os"), "context.os", errors),
        text(v.get("channel"), "context.channel", errors),
        text(v.get("country"), "context.country", errors),
        text(v.get("city"), "context.city", errors),
        text(v.get("network"), "context.network", errors));
  }
}
