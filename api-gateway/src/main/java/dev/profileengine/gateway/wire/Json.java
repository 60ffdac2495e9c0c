package dev.profileengine.gateway.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;

/** The gateway's one JSON mapper, and bounded parsing of untrusted bodies. */
public final class Json {
  public static final ObjectMapper MAPPER = new ObjectMapper()
      .registerModule(new JavaTimeModule())
      .registerModule(new com.fasterxml.jackson.databind.module.SimpleModule("fast-profile-parts")
          .addSerializer(java.time.Instant.class, dev.profileengine.engine.serialization.IsoInstants.serializer())
          .addSerializer(dev.profileengine.profile.TypeCounts.class, new TypeCountsSerializer()))
      // generated accessors instead of reflection for records: rendering a profile is the read path
      .registerModule(new com.fasterxml.jackson.module.blackbird.BlackbirdModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .setSerializationInclusion(JsonInclude.Include.NON_NULL);

  /** Deepest nesting accepted in a request body (an event is 2 levels, a batch 3). */
  public static final int MAX_DEPTH = 16;

  private Json() {}

  /**
   * Longest number token accepted, in characters: any long (20) or double in its shortest form (~24)
   * fits. Jackson 2.13 has no StreamReadConstraints, so a 10,000-digit token would otherwise become
   * an unbounded BigInteger/BigDecimal (quadratic to parse) before any field rule sees it.
   */
  public static final int MAX_NUMBER_LENGTH = 40;

  /** A request body that is not acceptable JSON, with a message for the client and the field it names. */
  public static final class BadJson extends Exception {
    private final String field;

    public BadJson(String message) {
      this("body", message);
    }

    public BadJson(String field, String message) {
      super(message);
      this.field = field;
    }

    /** The field at fault: a JSON path such as {@code price} or {@code [3].price}, else {@code body}. */
    public String field() {
      return field;
    }
  }

  /**
   * Parses a body, first checking its nesting depth with the streaming parser (which never
   * recurses), so hostile deep nesting is a 400 and not a stack overflow.
   */
  public static JsonNode parse(byte[] body) throws BadJson {
    if (body.length == 0) throw new BadJson("request body is empty: expected JSON");
    String notUtf8 = notUtf8(body);
    if (notUtf8 != null) throw new BadJson(notUtf8);
    JsonFactory factory = MAPPER.getFactory();
    try (JsonParser p = factory.createParser(body)) {
      // A field given twice would otherwise be the last one silently ({"userId":"a","userId":"b"}).
      p.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
      int depth = 0;
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
          if (++depth > MAX_DEPTH) throw new BadJson("JSON nested deeper than " + MAX_DEPTH + " levels");
        } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
          depth--;
        } else if ((t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) && p.getTextLength() > MAX_NUMBER_LENGTH) {
          // getTextLength reads the token's characters only: nothing is converted yet
          String field = path(p.getParsingContext());
          throw new BadJson(field, "number of " + p.getTextLength() + " characters at " + field + ": at most " + MAX_NUMBER_LENGTH + " allowed");
        }
      }
    } catch (JsonProcessingException e) {
      if (e.getProcessor() instanceof JsonParser dp && String.valueOf(e.getOriginalMessage()).startsWith("Duplicate field")) {
        String field = path(dp.getParsingContext());
        throw new BadJson(field, "field " + field + " is given more than once" + locationOf(e));
      }
      if (e.getProcessor() instanceof JsonParser dp && String.valueOf(e.getOriginalMessage()).startsWith("Non-standard token")) {
        // NaN, Infinity: a number JSON does not have, at the field that holds it.
        String field = path(dp.getParsingContext());
        throw new BadJson(field, "must be a finite JSON number" + locationOf(e));
      }
      throw new BadJson("malformed JSON: " + reason(e.getOriginalMessage()) + locationOf(e));
    } catch (IOException e) {
      throw new BadJson("unreadable body: " + e.getMessage());
    }
    try {
      return MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      throw new BadJson("malformed JSON: " + reason(e.getOriginalMessage()) + locationOf(e));
    } catch (IOException e) {
      throw new BadJson("unreadable body: " + e.getMessage());
    }
  }

  /**
   * Why {@code body} is not well-formed UTF-8, null when it is. Jackson decodes an overlong form
   * ({@code C0 AF}) as the character it spells ('/'), which would let an id pass a filter in front
   * of the node that looks for that character; the JDK's decoder refuses it, and encoded surrogates.
   */
  static String notUtf8(byte[] body) {
    int i = 0;
    while (i < body.length && body[i] >= 0) i++; // ASCII needs no decoding
    if (i == body.length) return null;
    java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(body, i, body.length - i);
    // Decoded through a small buffer (Jackson decodes the body itself): a malformed sequence is
    // reported (a new decoder's action), nothing of the body is kept.
    java.nio.charset.CharsetDecoder decoder = java.nio.charset.StandardCharsets.UTF_8.newDecoder();
    java.nio.CharBuffer out = java.nio.CharBuffer.allocate(256);
    java.nio.charset.CoderResult r;
    while ((r = decoder.decode(in, out.clear(), true)).isOverflow()) {}
    return r.isError() ? "not valid UTF-8: a malformed byte sequence at byte " + in.position() : null;
  }

  /**
   * Jackson's reason without what is for the server's developers (its settings to enable, class
   * names) or a copy of the client's body (a "start marker" excerpt).
   */
  static String reason(String original) {
    if (original == null) return "unreadable";
    if (original.startsWith("Trailing token")) return "more JSON after the first value";
    int cut = original.length();
    for (String marker : java.util.List.of(": enable ", " (start marker at", " (for ", " (bound as ")) {
      int at = original.indexOf(marker);
      if (at >= 0) cut = Math.min(cut, at);
    }
    return original.substring(0, cut);
  }

  /** The dotted path of the current value, e.g. {@code [3].context.city}; {@code body} at the top. */
  private static String path(com.fasterxml.jackson.core.JsonStreamContext c) {
    java.util.ArrayDeque<String> parts = new java.util.ArrayDeque<>();
    for (; c != null && !c.inRoot(); c = c.getParent()) {
      parts.addFirst(c.inArray() ? "[" + c.getCurrentIndex() + "]" : String.valueOf(c.getCurrentName()));
    }
    StringBuilder b = new StringBuilder();
    for (String part : parts) {
      if (b.length() > 0 && !part.startsWith("[")) b.append('.');
      b.append(part);
    }
    return b.length() == 0 ? "body" : b.toString();
  }

  private static String locationOf(JsonProcessingException e) {
    return e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
  }

  public static byte[] bytes(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render JSON: " + e.getMessage(), e);
    }
  }
}
