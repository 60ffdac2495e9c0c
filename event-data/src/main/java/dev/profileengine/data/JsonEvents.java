package dev.profileengine.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.profileengine.profile.BehaviorType;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * Reads the engine's JSON event format, one object per line:
 * {@code {"eventId":..,"userId":..,"type":"view","timestamp":"2017-11-25T10:00:00Z" or epoch ms,
 * "itemId":..,"categoryId":..,...}}. Only the fields the model needs are read; the others are
 * ignored. Ids may be strings or integers.
 */
public final class JsonEvents {
  private static final ObjectMapper JSON = new ObjectMapper();

  private JsonEvents() {}

  /** One event as the model sees it. */
  public record Event(String eventId, String userId, BehaviorType type, long epochMillis, String categoryId) {}

  /** Parses one line; throws {@link IllegalArgumentException} naming the field at fault. */
  public static Event parse(String line) {
    JsonNode n;
    try {
      n = JSON.readTree(line);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
    }
    if (n == null || !n.isObject()) throw new IllegalArgumentException("not a JSON object");
    String userId = id(n, "userId", true);
    String typeName = n.path("type").asText(null);
    if (typeName == null) throw new IllegalArgumentException("type is missing");
    BehaviorType type = BehaviorType.fromWire(typeName)
        .orElseThrow(() -> new IllegalArgumentException("unknown type '" + typeName + "'"));
    return new Event(id(n, "eventId", false), userId, type, millis(n.get("timestamp")), id(n, "categoryId", false));
  }

  private static String id(JsonNode n, String field, boolean required) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      if (required) throw new IllegalArgumentException(field + " is missing");
      return null;
    }
    if (v.isTextual() && !v.textValue().isBlank()) return v.textValue();
    if (v.isIntegralNumber()) return v.bigIntegerValue().toString();
    throw new IllegalArgumentException(field + " must be a non-empty string or an integer");
  }

  /** ISO-8601 instant or offset date-time, or epoch milliseconds as a number or digit string. */
  static long millis(JsonNode v) {
    if (v == null || v.isNull()) throw new IllegalArgumentException("timestamp is missing");
    if (v.isIntegralNumber()) return v.longValue();
    if (v.isTextual()) {
      String s = v.textValue().trim();
      if (!s.isEmpty() && s.chars().allMatch(Character::isDigit)) return Long.parseLong(s);
      try {
        return Instant.parse(s).toEpochMilli();
      } catch (DateTimeParseException e) {
        try {
          return OffsetDateTime.parse(s).toInstant().toEpochMilli();
        } catch (DateTimeParseException e2) {
          throw new IllegalArgumentException("timestamp is neither ISO-8601 nor epoch milliseconds: " + s);
        }
      }
    }
    throw new IllegalArgumentException("timestamp must be an ISO-8601 string or epoch milliseconds");
  }
}
