package dev.profileengine.gateway.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The replay CLI's defaults from PROFILE_URL and PROFILE_API_KEY. */
class ReplaySettingsTest {
  @Test
  void theEnvironmentSetsTheDefaults() {
    assertEquals(new ReplaySettings(URI.create("http://127.0.0.1:8080"), null), ReplaySettings.fromEnv(Map.of()));
    assertEquals(new ReplaySettings(URI.create("http://node:9080"), "k"),
        ReplaySettings.fromEnv(Map.of("PROFILE_URL", "http://node:9080", "PROFILE_API_KEY", "k")));
  }
}
