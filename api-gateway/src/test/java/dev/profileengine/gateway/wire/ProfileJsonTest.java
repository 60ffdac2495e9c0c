package dev.profileengine.gateway.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.typesafe.config.ConfigFactory;
import dev.profileengine.engine.EngineSettings;
import dev.profileengine.profile.BehaviorEvent;
import dev.profileengine.profile.BehaviorType;
import dev.profileengine.profile.ProfileSettings;
import dev.profileengine.profile.ProfileState;
import dev.profileengine.profile.ProfileView;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The gateway's fast profile serializers write exactly what stock Jackson writes. */
class ProfileJsonTest {
  private static final ObjectMapper STOCK = new ObjectMapper()
      .registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .setSerializationInclusion(JsonInclude.Include.NON_NULL);

  @Test
  void aProfileViewRendersAsStockJacksonRendersIt() throws Exception {
    ProfileSettings settings = EngineSettings.from(ConfigFactory.load()).profile();
    ProfileState state = ProfileState.empty("u1");
    Instant t = Instant.parse("2017-11-26T01:00:18.250Z");
    BehaviorType[] types = BehaviorType.values();
    for (int i = 0; i < 40; i++) {
      BehaviorEvent e = BehaviorEvent.of("e" + i, "u1", types[i % types.length], t.plusSeconds(i * 1_800L)).withCategory("item" + i, "cat" + (i % 3));
      state = state.apply(e, settings);
    }
    ProfileView view = state.view(null, settings);

    JsonNode fast = Json.MAPPER.readTree(Json.bytes(view));
    assertEquals(STOCK.readTree(STOCK.writeValueAsBytes(view)), fast);
    // Counts are written from the window arrays: the lifetime window holds every event by type.
    assertEquals(40, sum(fast.path("counts").path("lifetime")));
    assertEquals(Map.of("view", 7L, "click", 7L, "favorite", 7L, "cart", 7L, "purchase", 6L, "search", 6L), view.counts().get("lifetime"));
  }

  @Test
  void instantsOutsideFourDigitYearsFallBackToToString() throws Exception {
    for (String s : new String[] {"+10000-01-01T00:00:00Z", "-0001-01-01T00:00:00Z", "2017-11-26T01:00:18.000000001Z"}) {
      assertEquals("\"" + Instant.parse(s) + "\"", Json.MAPPER.writeValueAsString(Instant.parse(s)));
    }
  }

  private static long sum(JsonNode window) {
    long n = 0;
    for (JsonNode v : window) n += v.asLong();
    return n;
  }
}
