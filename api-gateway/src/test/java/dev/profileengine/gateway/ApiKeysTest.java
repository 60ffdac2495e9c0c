package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.profileengine.gateway.auth.AccessControl;
import dev.profileengine.gateway.auth.ApiKeys;
import dev.profileengine.gateway.auth.RateLimiter;
import dev.profileengine.gateway.auth.Scope;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeysTest {
  // Random-looking test keys (32 characters, many distinct): weaker keys are refused.
  static final String INGEST_KEY = "k7Qm2Xv9Lp4Rt8Wz1Bn6Hc3Jd5Fg0Ysa";
  static final String ADMIN_KEY = "P3nV8qK1mZ6rT4wY9cB2xL7hD5sF0gJua";
  static final String READER_KEY = "r8Gf2Lq6Wn1Zx4Cv7Bm3Kp9Tj5Hd0Ysb";
  static final String WRITER_KEY = "w2Hk7Nq4Xz9Lc1Vb6Mr3Tp8Jf5Gd0Sya";

  @TempDir
  Path dataDir;

  @Test
  void parsesKeysWithScopesAndKeepsOnlyHashes() {
    ApiKeys keys = ApiKeys.parse(INGEST_KEY + "=ingest+read, " + ADMIN_KEY + "=admin");
    assertEquals(2, keys.size());
    ApiKeys.Caller ingest = keys.lookup(INGEST_KEY).orElseThrow();
    assertTrue(ingest.may(Scope.INGEST) && ingest.may(Scope.READ));
    assertFalse(ingest.may(Scope.ADMIN));
    assertTrue(keys.lookup(ADMIN_KEY).orElseThrow().may(Scope.READ), "admin includes read");
    assertTrue(keys.lookup("nope-nope").isEmpty());
    assertFalse(ingest.id().contains(INGEST_KEY.substring(0, 8)), "the id never reveals the key");
  }

  @Test
  void rejectsMalformedEntries() {
    assertThrows(IllegalArgumentException.class, () -> ApiKeys.parse("just-a-key"));
    assertThrows(IllegalArgumentException.class, () -> ApiKeys.parse(INGEST_KEY + "=write"));
  }

  @Test
  void refusesPlaceholderAndGuessableKeys() {
    for (String weak : java.util.List.of(
        "REPLACE-ME-ingest-key", "REPLACE-ME-admin-key",          // what k8s/base once shipped
        "change-me-change-me-0123456789abcdefXYZ", "myChangeMe-Qw8Lp3Zx7Vb1Nm6Kj4Hg2Fd9",
        "placeholder-9Qw8Lp3Zx7Vb1Nm6Kj4Hg2Fd", "example-key-9Qw8Lp3Zx7Vb1Nm6Kj4Hg2Fd",
        "my-secret-api-key-9Qw8Lp3Zx7Vb1Nm6Kj", "xxxx-9Qw8Lp3Zx7Vb1Nm6Kj4Hg2Fd5Sa0",
        "short=read".substring(0, 5), "k7Qm2Xv9Lp4Rt8Wz1Bn6Hc3Jd5Fg0Ys".substring(0, 31), // under 32 characters
        "abababababababababababababababababab", "0123456701234567012345670123456701234567")) { // too few distinct
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> ApiKeys.parse(weak + "=read"), weak);
      assertTrue(e.getMessage().contains("PROFILE_API_KEYS"), e.getMessage());
      assertFalse(e.getMessage().contains(weak), "the message never repeats the key: " + e.getMessage());
    }
    // What k8s/generate-secrets.sh writes: openssl rand -hex 32, and base64 of 32 random bytes.
    assertEquals(2, ApiKeys.parse("3f9a0c5e7b1d2468ace0f13579bdf02468ace13579bdf0e2c4a6b8d0f1e3c5a7=read,"
        + "q2v+Y8kLr4n0Zc7Hx1Wm9Tb3Jf6Gd5Sa0Pe8Ku2Ni4Lo==admin").size());
  }

  @Test
  void tokenBucketAllowsBurstThenAsksToWait() {
    RateLimiter limiter = new RateLimiter(10, 3);
    long t = 0;
    for (int i = 0; i < 3; i++) assertEquals(0, limiter.tryAcquire("k", t));
    assertEquals(1, limiter.tryAcquire("k", t));
    assertEquals(0, limiter.tryAcquire("other", t), "buckets are per caller");
    assertEquals(0, limiter.tryAcquire("k", t + 100_000_000L), "one token back after 100 ms at 10/s");
  }

  @Test
  void aBatchCostsOneTokenPerEventAndABatchOverTheBurstLeavesADebt() {
    RateLimiter limiter = new RateLimiter(10, 5);
    long t = 0;
    assertEquals(0, limiter.tryAcquire("k", 3, t));
    assertEquals(1, limiter.tryAcquire("k", 3, t), "2 tokens left, 3 needed");
    assertEquals(0, limiter.tryAcquire("k", 2, t));
    // A batch larger than the burst goes once the bucket is full, and the debt holds the average rate.
    assertEquals(0, limiter.tryAcquire("big", 20, t));
    assertTrue(limiter.tryAcquireNanos("big", 1, t + 1_000_000_000L) > 0, "15 tokens owed, 10 refilled in 1 s");
    assertEquals(0, limiter.tryAcquireNanos("big", 1, t + 1_600_000_000L), "owed tokens refilled after 1.6 s");
  }

  @Test
  void anOpenNodeBeyondLoopbackRefusesToStart() {
    var config = ConfigFactory.parseMap(Map.of("profile.http.bind", "0.0.0.0")).withFallback(ConfigFactory.load());
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> access(GatewaySettings.from(config)));
    assertTrue(e.getMessage().contains("PROFILE_API_KEYS"));
  }

  @Test
  void keysAndScopesAreEnforcedOverHttp() throws Exception {
    try (TestNode node = TestNode.start(dataDir, Map.of(
        "profile.http.api-keys-env", READER_KEY + "=read," + WRITER_KEY + "=ingest",
        "profile.http.rate-limit.requests-per-second", 1,
        "profile.http.rate-limit.burst", 3))) {
      String event = "{\"eventId\":\"a1\",\"userId\":\"u\",\"type\":\"view\",\"timestamp\":\"2020-01-01T00:00:00Z\"}";
      assertEquals(200, node.get("/health").statusCode(), "health stays open");
      assertEquals(401, node.send("POST", "/v1/events", event).statusCode());
      assertEquals(401, node.send("POST", "/v1/events", event, "Bearer wrong-key-000").statusCode());
      HttpResponse<String> forbidden = node.send("POST", "/v1/events", event, "Bearer " + READER_KEY);
      assertEquals(403, forbidden.statusCode());
      assertTrue(forbidden.body().contains("ingest"), forbidden.body());
      assertEquals(200, node.send("POST", "/v1/events", event, "Bearer " + WRITER_KEY).statusCode());
      assertEquals(200, node.get("/v1/profiles/u", "Bearer " + READER_KEY).statusCode());
      // the reader's bucket (burst 3) is now at 2: drain it
      int status = 0;
      for (int i = 0; i < 3 && status != 429; i++) status = node.get("/v1/profiles/u", "Bearer " + READER_KEY).statusCode();
      assertEquals(429, status);
      HttpResponse<String> limited = node.get("/v1/profiles/u", "Bearer " + READER_KEY);
      assertTrue(limited.headers().firstValue("Retry-After").isPresent());
      String metrics = node.get("/metrics").body();
      assertTrue(metrics.contains("profile_access_denied_total{reason=\"forbidden\"} 1"), metrics);
      assertTrue(metrics.contains("profile_ingest_events_total{status=\"accepted\"} 1"), metrics);
      assertTrue(metrics.contains("profile_http_request_duration_seconds_bucket{method=\"GET\",route=\"profile\",status=\"200\""), metrics);
      assertTrue(metrics.contains("jvm_memory_used_bytes"), metrics);
    }
  }

  /**
   * Profile reads are answered in front of the route tree when the profile is hosted; a read it
   * passes on (an id not stored, a refusal) is still checked and charged once, not twice.
   */
  @Test
  void everyProfileReadIsCheckedAndChargedOnce() throws Exception {
    try (TestNode node = TestNode.start(dataDir, Map.of(
        "profile.http.api-keys-env", READER_KEY + "=read," + WRITER_KEY + "=ingest",
        "profile.http.rate-limit.requests-per-second", 0.001, // no refill within the test
        "profile.http.rate-limit.burst", 3))) {
      String event = "{\"eventId\":\"a1\",\"userId\":\"u\",\"type\":\"view\",\"timestamp\":\"2020-01-01T00:00:00Z\"}";
      assertEquals(200, node.send("POST", "/v1/events", event, "Bearer " + WRITER_KEY).statusCode());
      assertEquals(401, node.get("/v1/profiles/u").statusCode(), "a hosted profile needs a key too");
      assertEquals(403, node.get("/v1/profiles/u", "Bearer " + WRITER_KEY).statusCode(), "and the read scope");
      HttpResponse<String> hosted = node.get("/v1/profiles/u", "Bearer " + READER_KEY);
      assertEquals(200, hosted.statusCode(), hosted.body());
      assertEquals(404, node.get("/v1/profiles/never-written", "Bearer " + READER_KEY).statusCode());
      assertEquals(200, node.get("/v1/profiles/u", "Bearer " + READER_KEY).statusCode(), "three reads within a burst of 3");
      assertEquals(429, node.get("/v1/profiles/u", "Bearer " + READER_KEY).statusCode());
      assertEquals(429, node.get("/v1/profiles/never-written", "Bearer " + READER_KEY).statusCode());
      String metrics = node.get("/metrics").body();
      assertTrue(metrics.contains("profile_access_denied_total{reason=\"unauthorized\"} 1.0"), metrics);
      assertTrue(metrics.contains("profile_access_denied_total{reason=\"forbidden\"} 1.0"), metrics);
      assertTrue(metrics.contains("profile_access_denied_total{reason=\"rate_limited\"} 2.0"), metrics);
      assertTrue(metrics.contains("profile_http_request_duration_seconds_count{method=\"GET\",route=\"profile\",status=\"200\"} 2"), metrics);
      assertTrue(metrics.contains("profile_http_request_duration_seconds_count{method=\"GET\",route=\"profile\",status=\"404\"} 1"), metrics);
    }
  }

  private static AccessControl access(GatewaySettings s) {
    return AccessControl.from(s.apiKeys(), s.bind(), s.rateLimit().perSecond(), s.rateLimit().burst(), reason -> {});
  }
}
