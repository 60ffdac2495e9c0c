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
  @TempDir
  Path dataDir;

  @Test
  void parsesKeysWithScopesAndKeepsOnlyHashes() {
    ApiKeys keys = ApiKeys.parse("ingest-key-1=ingest+read, admin-key-22=admin");
    assertEquals(2, keys.size());
    ApiKeys.Caller ingest = keys.lookup("ingest-key-1").orElseThrow();
    assertTrue(ingest.may(Scope.INGEST) && ingest.may(Scope.READ));
    assertFalse(ingest.may(Scope.ADMIN));
    assertTrue(keys.lookup("admin-key-22").orElseThrow().may(Scope.READ), "admin includes read");
    assertTrue(keys.lookup("nope-nope").isEmpty());
    assertFalse(ingest.id().contains("ingest-key-1"), "the id never reveals the key");
  }

  @Test
  void rejectsMalformedEntries() {
    assertThrows(IllegalArgumentException.class, () -> ApiKeys.parse("just-a-key"));
    assertThrows(IllegalArgumentException.class, () -> ApiKeys.parse("long-enough-key=write"));
    assertThrows(IllegalArgumentException.class, () -> ApiKeys.parse("short=read"));
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
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> AccessControl.from(config, reason -> {}));
    assertTrue(e.getMessage().contains("PROFILE_API_KEYS"));
  }

  @Test
  void keysAndScopesAreEnforcedOverHttp() throws Exception {
    try (TestNode node = TestNode.start(dataDir, Map.of(
        "profile.http.api-keys-env", "reader-key-1=read,writer-key-1=ingest",
        "profile.http.rate-limit.requests-per-second", 1,
        "profile.http.rate-limit.burst", 3))) {
      String event = "{\"eventId\":\"a1\",\"userId\":\"u\",\"type\":\"view\",\"timestamp\":\"2020-01-01T00:00:00Z\"}";
      assertEquals(200, node.get("/health").statusCode(), "health stays open");
      assertEquals(401, node.send("POST", "/v1/events", event).statusCode());
      assertEquals(401, node.send("POST", "/v1/events", event, "Bearer wrong-key-000").statusCode());
      HttpResponse<String> forbidden = node.send("POST", "/v1/events", event, "Bearer reader-key-1");
      assertEquals(403, forbidden.statusCode());
      assertTrue(forbidden.body().contains("ingest"), forbidden.body());
      assertEquals(200, node.send("POST", "/v1/events", event, "Bearer writer-key-1").statusCode());
      assertEquals(200, node.get("/v1/profiles/u", "Bearer reader-key-1").statusCode());
      // the reader's bucket (burst 3) is now at 2: drain it
      int status = 0;
      for (int i = 0; i < 3 && status != 429; i++) status = node.get("/v1/profiles/u", "Bearer reader-key-1").statusCode();
      assertEquals(429, status);
      HttpResponse<String> limited = node.get("/v1/profiles/u", "Bearer reader-key-1");
      assertTrue(limited.headers().firstValue("Retry-After").isPresent());
      String metrics = node.get("/metrics").body();
      assertTrue(metrics.contains("profile_access_denied_total{reason=\"forbidden\"} 1"), metrics);
      assertTrue(metrics.contains("profile_ingest_events_total{status=\"accepted\"} 1"), metrics);
      assertTrue(metrics.contains("profile_http_request_duration_seconds_bucket{method=\"GET\",route=\"profile\",status=\"200\""), metrics);
      assertTrue(metrics.contains("jvm_memory_used_bytes"), metrics);
    }
  }
}
