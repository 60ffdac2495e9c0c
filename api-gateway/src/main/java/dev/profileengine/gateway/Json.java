package dev.profileengine.gateway;

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
          .addSerializer(java.time.Instant.class, new IsoInstantSerializer())
          .addSerializer(dev.profileengine.profile.TypeCounts.class, new TypeCountsSerializer()))
      // generated accessors instead of reflection for records: rendering a profile is the read path
      .registerModule(new com.fasterxml.jackson.module.blackbird.BlackbirdModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .setSerializationInclusion(JsonInclude.Include.NON_NULL);

  /** Deepest nesting accepted in a request body (an event is 2 levels, a batch 3). */
  public static final int MAX_DEPTH = 16;

  private Json() {}

  /** A request body that is not acceptable JSON, with a message for the client. */
  public static final class BadJson extends Exception {
    public BadJson(String message) {
      super(message);
    }
  }

  /**
   * Parses a body, first checking its nesting depth with the streaming parser (which never
   * recurses), so hostile deep nesting is a 400 and not a stack overflow.
   */
  public static JsonNode parse(byte[] body) throws BadJson {
    if (body.length == 0) throw new BadJson("request body is empty: expected JSON");
    JsonFactory factory = MAPPER.getFactory();
    try (JsonParser p = factory.createParser(body)) {
      int depth = 0;
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
          if (++depth > MAX_DEPTH) throw new BadJson("JSON nested deeper than " + MAX_DEPTH + " levels");
        } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
          depth--;
        }
      }
    } catch (JsonProcessingException e) {
      throw new BadJson("malformed JSON: " + e.getOriginalMessage() + locationOf(e));
    } catch (IOException e) {
      throw new BadJson("unreadable body: " + e.getMessage());
    }
    try {
      return MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      throw new BadJson("malformed JSON: " + e.getOriginalMessage() + locationOf(e));
    } catch (IOException e) {
      throw new BadJson("unreadable body: " + e.getMessage());
    }
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
