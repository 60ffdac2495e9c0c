package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.profileengine.engine.profiles.SubscriberLimit;
import dev.profileengine.gateway.logging.LogFormat;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The gateway's settings from application.conf. Environment variables reach them through the
 * {@code ${?PROFILE_...}} mappings: a root key of the same name stands in for the variable here
 * (HOCON looks a substitution up in the configuration before the environment).
 */
class GatewaySettingsTest {
  private static final String KEY = "3f9c1a7e5b2d8046c1e9a7f3b5d2c8e4";

  private static GatewaySettings withEnvironment(Map<String, Object> variables) {
    ConfigFactory.invalidateCaches();
    return GatewaySettings.from(ConfigFactory.parseMap(variables)
        .withFallback(ConfigFactory.parseResources("application.conf"))
        .withFallback(ConfigFactory.defaultReference())
        .resolve());
  }

  @Test
  void defaultsOfGatewayHttpConf() {
    GatewaySettings s = withEnvironment(Map.of());
    assertEquals("127.0.0.1", s.bind());
    assertEquals(8080, s.port());
    assertEquals(new GatewaySettings.Grpc(8081, 4 * 1024 * 1024), s.grpc());
    assertEquals(List.of(), s.apiKeys());
    assertEquals(new GatewaySettings.RateLimit(50_000, 100_000), s.rateLimit());
    assertEquals(new SubscriberLimit.Caps(2000, 200), s.subscribers());
    assertEquals(LogFormat.TEXT, s.logFormat());
    assertEquals(128, s.changes().bufferSize());
    assertEquals(Duration.ofSeconds(30), s.changes().maxStall());
    assertEquals(512, s.admission().dispatchWindow());
    assertEquals(Duration.ofSeconds(10), s.headerTimeout());
    assertEquals(Duration.ofSeconds(15), s.changeHeartbeat());
  }

  @Test
  void theChangeHeartbeatComesFromItsVariableAndZeroRefusesToStart() {
    assertEquals(Duration.ofSeconds(5), withEnvironment(Map.of("PROFILE_CHANGE_HEARTBEAT", "5s")).changeHeartbeat());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> withEnvironment(Map.of("PROFILE_CHANGE_HEARTBEAT", "0s")));
    assertTrue(e.getMessage().contains("heartbeat"), e.getMessage());
  }

  @Test
  void busyConnectionsAreCutASecondBeforeTheShutdownPhaseThatWaitsForThemTimesOut() {
    com.typesafe.config.Config defaults = ConfigFactory.defaultReference().resolve();
    assertEquals(Duration.ofSeconds(4), ProfileNode.drainDeadline(defaults), "Akka's 5 s phase");
    assertEquals(Duration.ofSeconds(11), ProfileNode.drainDeadline(ConfigFactory.parseString(
        "akka.coordinated-shutdown.phases.service-requests-done.timeout = 12s").withFallback(defaults)));
  }

  @Test
  void theHeaderTimeoutComesFromItsVariableAndZeroRefusesToStart() {
    assertEquals(Duration.ofSeconds(3), withEnvironment(Map.of("PROFILE_HTTP_HEADER_TIMEOUT", "3s")).headerTimeout());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> withEnvironment(Map.of("PROFILE_HTTP_HEADER_TIMEOUT", "0s")));
    assertTrue(e.getMessage().contains("header-timeout"), e.getMessage());
  }

  @Test
  void theDispatchWindowComesFromItsVariableAndANegativeOneRefusesToStart() {
    assertEquals(0, withEnvironment(Map.of("PROFILE_DISPATCH_WINDOW", "0")).admission().dispatchWindow());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> withEnvironment(Map.of("PROFILE_DISPATCH_WINDOW", "-1")));
    assertTrue(e.getMessage().contains("dispatch-window"), e.getMessage());
  }

  @Test
  void environmentVariablesReachTheSettingsThroughTheConf() {
    GatewaySettings s = withEnvironment(Map.of(
        "PROFILE_BIND", "0.0.0.0",
        "PROFILE_HTTP_PORT", "9080",
        "PROFILE_GRPC_PORT", "9081",
        "PROFILE_GRPC_MAX_MESSAGE", "1MiB",
        "PROFILE_API_KEYS", KEY + "=read,other" + KEY + "=ingest+admin",
        "PROFILE_RATE_LIMIT", "10",
        "PROFILE_MAX_SUBSCRIBERS", "5",
        "PROFILE_MAX_SUBSCRIBERS_PER_KEY", "2",
        "PROFILE_LOG_FORMAT", "json"));
    assertEquals("0.0.0.0", s.bind());
    assertEquals(9080, s.port());
    assertEquals(new GatewaySettings.Grpc(9081, 1024 * 1024), s.grpc());
    assertEquals(List.of(KEY + "=read", "other" + KEY + "=ingest+admin"), s.apiKeys());
    assertEquals(10, s.rateLimit().perSecond());
    assertEquals(new SubscriberLimit.Caps(5, 2), s.subscribers());
    assertEquals(LogFormat.JSON, s.logFormat());
    assertFalse(s.toString().contains(KEY), "API keys stay out of the settings' text: " + s);
  }

  @Test
  void aBadLogFormatIsRefusedNamingTheVariable() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> withEnvironment(Map.of("PROFILE_LOG_FORMAT", "xml")));
    assertTrue(e.getMessage().contains("PROFILE_LOG_FORMAT"), e.getMessage());
  }
}
