package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every HTTP response carries X-Request-Id: the caller's, sanitized and bounded, else a new one. */
class RequestIdTest {
  @TempDir static Path dir;
  static TestNode node;
  static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() {
    node = TestNode.start(dir.resolve("data"));
  }

  @AfterAll
  static void stop() {
    if (node != null) node.close();
  }

  private static HttpResponse<String> get(String path, String requestId) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(node.base.resolve(path)).timeout(Duration.ofSeconds(30));
    if (requestId != null) b.header("X-Request-Id", requestId);
    return client.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String echoed(HttpResponse<String> r) {
    return r.headers().firstValue("X-Request-Id").orElseThrow(() -> new AssertionError("no X-Request-Id on " + r.statusCode() + " " + r.body()));
  }

  @Test
  void theCallersIdIsEchoed() throws Exception {
    HttpResponse<String> r = get("/health", "trace-42.a");
    assertEquals(200, r.statusCode());
    assertEquals("trace-42.a", echoed(r));
  }

  @Test
  void unsafeOrOverlongIdsAreCleanedAndCut() throws Exception {
    assertEquals("abcevil", echoed(get("/health", "abc \"evil\" <>")));
    assertEquals(128, echoed(get("/health", "y".repeat(500))).length());
  }

  @Test
  void withoutAnIdEachRequestGetsANewOne() throws Exception {
    String a = echoed(get("/health", null));
    String b = echoed(get("/health", null));
    assertEquals(36, a.length(), a);
    assertNotEquals(a, b);
  }

  @Test
  void readsOfHostedProfilesCarryItToo() throws Exception {
    String event = "{\"eventId\":\"h1\",\"userId\":\"hosted\",\"type\":\"view\",\"timestamp\":\"2020-01-01T00:00:00Z\"}";
    assertEquals(200, node.send("POST", "/v1/events", event).statusCode());
    HttpResponse<String> read = get("/v1/profiles/hosted", "trace <7>");
    assertEquals(200, read.statusCode(), read.body());
    assertEquals("trace7", echoed(read));
    assertEquals(36, echoed(get("/v1/profiles/hosted", null)).length());
  }

  @Test
  void errorsAndRejectionsCarryItToo() throws Exception {
    HttpResponse<String> bad = get("/v1/profiles/u1?asOf=yesterday", "r-bad");
    assertEquals(400, bad.statusCode(), bad.body());
    assertTrue(bad.body().contains("\"field\":\"asOf\""), bad.body());
    assertEquals("r-bad", echoed(bad));
    HttpResponse<String> missing = get("/no/such/route", "r-404");
    assertEquals(404, missing.statusCode());
    assertEquals("r-404", echoed(missing));
  }
}
