package dev.profileengine.gateway.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IsoInstantSerializerTest {
  @Test
  void matchesInstantToStringEverywhereItApplies() {
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
      assertEquals(t.toString(), IsoInstantSerializer.format(t));
    }
    for (String edge : new String[] {"1970-01-01T00:00:00Z", "2000-02-29T23:59:59.999Z", "1969-12-31T23:59:59.000000001Z",
        "2017-11-26T01:00:18Z", "2100-03-01T00:00:00Z", "-0001-01-01T00:00:00Z", "+10000-01-01T00:00:00Z"}) {
      Instant t = Instant.parse(edge);
      assertEquals(t.toString(), IsoInstantSerializer.format(t));
    }
  }

  @Test
  void theMapperUsesIt() throws Exception {
    assertEquals("\"2017-11-26T01:00:18.500Z\"", Json.MAPPER.writeValueAsString(Instant.parse("2017-11-26T01:00:18.5Z")));
  }
}
