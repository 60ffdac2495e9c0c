package dev.profileengine.engine.serialization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IsoInstantsTest {
  private static final String[] EDGES = {"1970-01-01T00:00:00Z", "2000-02-29T23:59:59.999Z", "1969-12-31T23:59:59.000000001Z",
      "2017-11-26T01:00:18Z", "2100-03-01T00:00:00Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z",
      "-0001-01-01T00:00:00Z", "+10000-01-01T00:00:00Z"};

  @Test
  void writesAndReadsAsInstantToStringAndParseDoEverywhereTheyApply() {
    Random r = new Random(7);
    long min = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
    long max = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
    for (int i = 0; i < 200_000; i++) {
      long s = min + (long) (r.nextDouble() * (max - min));
      int nanos = switch (i % 4) {
        case 0 -> 0;
        case 1 -> r.nextInt(1000) * 1_000_000;
        case 2 -> r.nextInt(1_000_000) * 1000;
        default -> r.nextInt(1_000_000_000);
      };
      Instant t = Instant.ofEpochSecond(s, nanos);
      String text = IsoInstants.format(t);
      assertEquals(t.toString(), text);
      assertEquals(t, parse(text), text);
    }
    for (String edge : EDGES) {
      Instant t = Instant.parse(edge);
      assertEquals(t.toString(), IsoInstants.format(t));
    }
  }

  @Test
  void readsEveryFractionLengthAsParseDoes() {
    for (int digits = 1; digits <= 9; digits++) {
      String text = "2017-11-26T01:00:18." + "123456789".substring(0, digits) + "Z";
      assertEquals(Instant.parse(text), parse(text), text);
    }
  }

  @Test
  void leavesAnyOtherTextToTheStandardParser() {
    for (String other : List.of("2017-02-29T00:00:00Z", "2017-13-01T00:00:00Z", "2017-11-26T24:00:00Z", "2017-11-26T23:59:60Z",
        "2017-11-26T01:00:18.Z", "2017-11-26T01:00:18.1234567890Z", "2017-11-26t01:00:18Z", "2017-11-26T01:00:18z",
        "2017-11-26T01:00:18+01:00", "2017-11-26 01:00:18Z", "2017-1a-26T01:00:18Z", "+10000-01-01T00:00:00Z", "x")) {
      assertNull(parse(other), other);
    }
  }

  @Test
  void aMapperWithItWritesTheSameBytesAndReadsTheSameValues() throws Exception {
    ObjectMapper standard = new ObjectMapper(new CBORFactory()).registerModule(new JavaTimeModule())
        .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    ObjectMapper fast = new ObjectMapper(new CBORFactory()).registerModule(new JavaTimeModule()).registerModule(IsoInstants.module())
        .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    for (String edge : EDGES) {
      Instant t = Instant.parse(edge);
      byte[] bytes = standard.writeValueAsBytes(List.of(t));
      assertEquals(java.util.Arrays.toString(bytes), java.util.Arrays.toString(fast.writeValueAsBytes(List.of(t))), edge);
      assertEquals(t, fast.readValue(bytes, Instant[].class)[0], edge);
    }
    // Numbers (epoch seconds) are read the standard way.
    byte[] number = standard.writeValueAsBytes(List.of(1511658018.5));
    assertEquals(standard.readValue(number, Instant[].class)[0], fast.readValue(number, Instant[].class)[0]);
  }

  private static Instant parse(String text) {
    char[] c = ("  " + text + " ").toCharArray(); // at an offset, as a parser's buffer holds it
    return IsoInstants.parse(c, 2, text.length());
  }
}
