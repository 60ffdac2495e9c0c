package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import com.fasterxml.jackson.databind.JsonNode;
import dev.profileengine.gateway.wire.Json;
import dev.profileengine.gateway.wire.RequestChecks;
import dev.profileengine.grpc.Event;
import dev.profileengine.grpc.EventResult;
import dev.profileengine.grpc.GetProfileRequest;
import dev.profileengine.grpc.IngestRequest;
import dev.profileengine.grpc.ProfileServiceClient;
import dev.profileengine.grpc.SubscribeRequest;
import io.grpc.Status;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile client against a real node over HTTP and gRPC: instants at the edges of {@link Instant},
 * ids with control characters or too long, 10,000-digit numbers. Each is a 4xx (INVALID_ARGUMENT)
 * naming the field, and afterwards the node answers and the user's entity still has its events.
 */
class HttpHostileTest {
  private static final String INGEST = "Bearer hostile-ingest-4e9a2c7f1b5d8e3a6c0f9b2d7e4a1c8f";
  private static final String READ = "Bearer hostile-read-8b3f6a1d9e4c7b2f5a8d1e6c3b9f4a7d";
  private static final String ADMIN = "Bearer hostile-admin-2c7e1f9b4a6d3e8c5f2a9d7b1e4c6f3a";

  @TempDir
  static Path dataDir;
  static TestNode node;
  static ProfileServiceClient grpcRead;
  static ProfileServiceClient grpcIngest;

  /** Outside 1970-01-01T00:00:00Z .. 9999-12-31T23:59:59.999Z, all parseable by Instant.parse. */
  static final List<String> OUTSIDE = List.of(Instant.MIN.toString(), Instant.MAX.toString(), "+1000000000-01-01T00:00:00Z",
      "-999999999-01-01T00:00:00Z", "+10000-01-01T00:00:00Z", "1969-12-31T23:59:59.999Z");
  /** The range's own edges: accepted. */
  static final List<String> EDGES = List.of("1970-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "9999-12-31T23:59:59.999Z");

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start(dataDir, Map.of("profile.http.body-timeout", "3s", "profile.http.api-keys-env",
        "hostile-ingest-4e9a2c7f1b5d8e3a6c0f9b2d7e4a1c8f=ingest,hostile-read-8b3f6a1d9e4c7b2f5a8d1e6c3b9f4a7d=read,hostile-admin-2c7e1f9b4a6d3e8c5f2a9d7b1e4c6f3a=admin"));
    grpcRead = TestGrpc.client(node, "hostile-read-8b3f6a1d9e4c7b2f5a8d1e6c3b9f4a7d");
    grpcIngest = TestGrpc.client(node, "hostile-ingest-4e9a2c7f1b5d8e3a6c0f9b2d7e4a1c8f");
    String now = Instant.now().minusSeconds(60).toString();
    HttpResponse<String> r = node.send("POST", "/v1/events", "[" + event("a1", "alice", now) + "," + event("a2", "alice", now) + "]", INGEST);
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(2, Json.MAPPER.readTree(r.body()).get("accepted").asLong(), r.body());
  }

  @AfterAll
  static void stop() {
    grpcRead.close();
    grpcIngest.close();
    node.close();
  }

  private static String event(String id, String user, String timestamp) {
    return "{\"eventId\":\"" + id + "\",\"userId\":\"" + user + "\",\"type\":\"purchase\",\"timestamp\":\"" + timestamp
        + "\",\"itemId\":\"i1\",\"categoryId\":\"c1\",\"price\":5.0,\"quantity\":1}";
  }

  private static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static JsonNode assertRefused(HttpResponse<String> r, int status, String field) throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    JsonNode body = Json.MAPPER.readTree(r.body());
    assertEquals(field, body.path("field").asText(), r.body());
    return body;
  }

  /** The node answers and alice's entity still holds her two events (over HTTP and gRPC). */
  private static void aliceIntact() throws Exception {
    assertEquals(200, node.get("/health").statusCode());
    HttpResponse<String> p = node.get("/v1/profiles/alice", READ);
    assertEquals(200, p.statusCode(), p.body());
    assertEquals(2, Json.MAPPER.readTree(p.body()).get("eventCount").asLong(), p.body());
    assertEquals(2, grpcRead.getProfile(GetProfileRequest.newBuilder().setUserId("alice").build())
        .toCompletableFuture().get(30, TimeUnit.SECONDS).getEventCount());
  }

  /** Requests Akka HTTP cannot parse never reach the routes: still a JSON 4xx naming the part at fault, and the node goes on. */
  @Test
  void unparseableRequestsAreJsonErrorsNamingThePart() throws Exception {
    String badPath = raw("GET /v1/profiles/%ZZ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assertTrue(badPath.startsWith("HTTP/1.1 400"), badPath);
    assertTrue(badPath.contains("Content-Type: application/json"), badPath);
    JsonNode body = Json.MAPPER.readTree(badPath.substring(badPath.indexOf("\r\n\r\n") + 4));
    assertEquals("path", body.path("field").asText(), badPath);
    assertTrue(body.path("error").asText().contains("request-target"), badPath);
    String badHeader = raw("GET /health HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\nConnection: close\r\n\r\n");
    assertTrue(badHeader.startsWith("HTTP/1.1 400"), badHeader);
    assertEquals("headers", Json.MAPPER.readTree(badHeader.substring(badHeader.indexOf("\r\n\r\n") + 4)).path("field").asText(), badHeader);
    String longPath = raw("GET /v1/profiles/" + "a".repeat(3000) + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assertTrue(longPath.startsWith("HTTP/1.1 414"), longPath);
    assertEquals("path", Json.MAPPER.readTree(longPath.substring(longPath.indexOf("\r\n\r\n") + 4)).path("field").asText(), longPath);
    // Too many header lines, or one too long: 431, naming the headers.
    StringBuilder many = new StringBuilder("GET /health HTTP/1.1\r\nHost: x\r\n");
    for (int i = 0; i < 100; i++) many.append("X-H").append(i).append(": v\r\n");
    for (String head : List.of(many.toString(), "GET /health HTTP/1.1\r\nHost: x\r\nX-Long: " + "v".repeat(20_000) + "\r\n")) {
      String answer = raw(head + "Connection: close\r\n\r\n");
      assertTrue(answer.startsWith("HTTP/1.1 431"), answer);
      assertEquals("headers", Json.MAPPER.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4)).path("field").asText(), answer);
    }
    // Akka answers these 501 and 505: the client's request is at fault, so a 4xx
    for (String[] c : new String[][] {{"FOO /health HTTP/1.1", "method"}, {"\r\n\r\nGET /health HTTP/1.1", "method"},
        {"GET /health HTTP/2.0", "protocol"}, {"GET /health HTTP/9.9", "protocol"}}) {
      String answer = raw(c[0] + "\r\nHost: x\r\nConnection: close\r\n\r\n");
      assertTrue(answer.startsWith("HTTP/1.1 400"), c[0] + ": " + answer);
      assertEquals(c[1], Json.MAPPER.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4)).path("field").asText(), answer);
    }
    assertEquals(200, node.get("/health").statusCode());
  }

  /**
   * Bytes that are not UTF-8: an overlong '/' in a JSON body (Jackson alone would decode it as '/'),
   * a surrogate or overlong form percent-encoded in a path or query (Akka decodes them as U+FFFD):
   * each a 400 naming the body or the field, nothing stored.
   */
  @Test
  void bytesThatAreNotUtf8Are400NotDecodedAsSomethingElse() throws Exception {
    for (byte[][] overlong : new byte[][][] {{{(byte) 0xc0, (byte) 0xaf}}, {{(byte) 0xe0, (byte) 0x80, (byte) 0xaf}}, {{(byte) 0xed, (byte) 0xa0, (byte) 0x80}}}) {
      java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
      body.write(("{\"eventId\":\"u8-1\",\"userId\":\"ov").getBytes(StandardCharsets.UTF_8));
      body.write(overlong[0]);
      body.write(("x\",\"type\":\"view\",\"timestamp\":\"" + Instant.now().minusSeconds(60) + "\"}").getBytes(StandardCharsets.UTF_8));
      HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(node.base.resolve("/v1/events"))
          .header("Authorization", INGEST).header("Content-Type", "application/json")
          .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
      JsonNode e = assertRefused(r, 400, "body");
      assertTrue(e.get("error").asText().contains("UTF-8"), e.toString());
    }
    assertEquals(404, node.get("/v1/profiles/ov%2Fx", READ).statusCode(), "nothing stored under the decoded id");
    assertRefused(node.get("/v1/profiles/%ED%A0%80", READ), 400, "userId");
    assertRefused(node.get("/v1/profiles/a%C0%AFb", READ), 400, "userId");
    assertRefused(node.get("/v1/profiles/alice?identity=anonymousId:%C0%AF", READ), 400, "identity");
    aliceIntact();
  }

  /** HEAD is answered as GET without the body; a query parameter given twice is a 400 naming it, in either order. */
  @Test
  void headIsAGetWithoutItsBodyAndARepeatedParameterIsRefused() throws Exception {
    for (String path : List.of("/health", "/v1/profiles/alice")) {
      String head = raw("HEAD " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: " + READ + "\r\nConnection: close\r\n\r\n");
      assertTrue(head.startsWith("HTTP/1.1 200"), head);
      assertTrue(head.endsWith("\r\n\r\n"), "no body: " + head);
    }
    assertRefused(node.get("/v1/profiles/alice?asOf=now&asOf=garbage", READ), 400, "asOf");
    assertRefused(node.get("/v1/profiles/alice?asOf=garbage&asOf=now", READ), 400, "asOf");
    assertRefused(node.get("/v1/profiles/alice?identity=anonymousId:a&identity=anonymousId:b", READ), 400, "identity");
    assertRefused(node.get("/v1/profiles/alice?x%0Ay=1&x%0Ay=2", READ), 400, "query");
    aliceIntact();
  }

  /**
   * A misspelt change-stream request is refused naming what is wrong, over HTTP and gRPC: a
   * parameter the route does not have (before, {@code ?userid=} streamed every user's changes) and
   * a segment the node does not have (before, an empty stream forever).
   */
  @Test
  void aMisspeltSubscriptionIsRefusedNotAnEmptyOrUnfilteredStream() throws Exception {
    assertRefused(node.get("/v1/changes?userid=alice", READ), 400, "userid");
    assertRefused(node.get("/v1/changes?from=0&segmnet=cart_abandoners", READ), 400, "segmnet");
    JsonNode unknown = assertRefused(node.get("/v1/changes?segment=no-such", READ), 404, "segment");
    assertTrue(unknown.get("error").asText().contains("frequent-buyers"), "names the segments there are: " + unknown);
    Status s = TestGrpc.status(assertThrows(Exception.class, () -> grpcRead.subscribeProfileChanges(
            dev.profileengine.grpc.SubscribeRequest.newBuilder().setSegment("no-such").build())
        .runWith(Sink.ignore(), node.node.system()).toCompletableFuture().get(30, TimeUnit.SECONDS)));
    assertEquals(Status.Code.NOT_FOUND, s.getCode(), s.toString());
    assertTrue(s.getDescription().startsWith("segment: "), s.getDescription());
    // An offset beyond the journal's head is another journal's (a data directory replaced): said at once, not waited on in silence.
    assertRefused(node.get("/v1/changes?from=99999999999", READ), 400, "from");
    String header = raw("GET /v1/changes HTTP/1.1\r\nHost: x\r\nAuthorization: " + READ + "\r\nLast-Event-ID: 99999999999\r\nConnection: close\r\n\r\n");
    assertTrue(header.startsWith("HTTP/1.1 400") && header.contains("\"field\":\"Last-Event-ID\""), header);
    Status beyond = TestGrpc.status(assertThrows(Exception.class, () -> grpcRead.subscribeProfileChanges(
            dev.profileengine.grpc.SubscribeRequest.newBuilder().setFromOffset(99_999_999_999L).build())
        .runWith(Sink.ignore(), node.node.system()).toCompletableFuture().get(30, TimeUnit.SECONDS)));
    assertEquals(Status.Code.INVALID_ARGUMENT, beyond.getCode(), beyond.toString());
    assertTrue(beyond.getDescription().startsWith("from_offset: "), beyond.getDescription());
    aliceIntact();
  }

  /**
   * A malformed body's error says what is wrong in the client's terms: not the parser's settings or
   * class names, not a copy of the body; a NaN names its field.
   */
  @Test
  void malformedJsonIsDescribedWithoutTheParsersInternalsOrTheBody() throws Exception {
    String ts = Instant.now().minusSeconds(9).toString();
    JsonNode nan = assertRefused(node.send("POST", "/v1/events", event("nan1", "alice", ts).replace("}", ",\"price\":NaN}"), INGEST), 400, "price");
    assertTrue(!nan.get("error").asText().contains("enable"), nan.toString());
    JsonNode trailing = assertRefused(node.send("POST", "/v1/events", "{\"a\":1} {\"b\":2}", INGEST), 400, "body");
    assertTrue(!trailing.get("error").asText().contains("fasterxml") && !trailing.get("error").asText().contains("Feature"), trailing.toString());
    JsonNode truncated = assertRefused(node.send("POST", "/v1/events", "{\"eventId\":\"secret-looking-value\",\"userId\":\"u", INGEST), 400, "body");
    assertTrue(!truncated.get("error").asText().contains("secret-looking-value"), truncated.toString());
    aliceIntact();
  }

  /** A mistyped Authorization header is refused (401) and its value, an API key, never reaches the log. */
  @Test
  void aMalformedAuthorizationHeaderNeverPutsItsKeyInTheLog() throws Exception {
    String key = READ.substring("Bearer ".length());
    try (LogLines log = LogLines.attach(dev.profileengine.gateway.http.ParsingErrors.class)) {
      for (String header : List.of(READ + " x", READ + "=admin", "Bearer {" + key + "}", "Bearer  " + key + " " + key)) {
        JsonNode e = assertRefused(node.get("/v1/profiles/alice", header), 401, "Authorization");
        assertTrue(!e.toString().contains(key), e.toString());
      }
      // The same header line broken beyond parsing is a parse error, logged without its value; the
      // node's log is written in order, so once that line is there, the refusals' lines are too.
      String broken = raw("GET /health HTTP/1.1\r\nHost: x\r\nAuthorization: " + READ + "\u0001\r\nConnection: close\r\n\r\n");
      assertTrue(broken.startsWith("HTTP/1.1 400"), broken);
      assertTrue(log.awaitLine("Illegal request", Duration.ofSeconds(10)), "the parse error is logged");
      for (var line : log.lines()) assertTrue(!line.getFormattedMessage().contains(key), line.getFormattedMessage());
    }
    aliceIntact();
  }

  @Test
  void anHttp10RequestWithoutHostIsAnswered() throws Exception {
    String answer = raw("GET /health HTTP/1.0\r\n\r\n");
    assertTrue(answer.startsWith("HTTP/1.0 200") || answer.startsWith("HTTP/1.1 200"), answer);
  }

  /** A client sending unparseable requests in a loop gets its 400s; the log gets one warning per interval, not one per request. */
  @Test
  void aFloodOfUnparseableRequestsIsOneWarningNotOnePerRequest() throws Exception {
    try (LogLines log = LogLines.attach(dev.profileengine.gateway.http.ParsingErrors.class)) {
      for (int i = 0; i < 20; i++) {
        assertTrue(raw("FOO /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").startsWith("HTTP/1.1 400"));
      }
      assertTrue(log.awaitLine("Illegal request, answered 400", Duration.ofSeconds(10)));
      for (long deadline = System.nanoTime() + 10_000_000_000L; log.lines().stream().filter(l -> l.getFormattedMessage().contains("Illegal request")).count() < 20
          && System.nanoTime() < deadline; ) {
        Thread.sleep(10);
      }
      List<ch.qos.logback.classic.spi.ILoggingEvent> lines = log.lines().stream().filter(l -> l.getFormattedMessage().contains("Illegal request")).toList();
      assertEquals(20, lines.size(), "every one is logged, at debug beyond the first");
      assertTrue(lines.stream().filter(l -> l.getLevel() == ch.qos.logback.classic.Level.WARN).count() <= 1, lines.toString());
    }
  }

  /**
   * A body stream that breaks (a malformed chunk, a chunk shorter than declared, a chunk over the
   * size limit, an upload the client abandons) is the client's fault: 400 (413 for the chunk
   * limit) naming the body, on every route that reads one, and no ERROR with a stack trace per
   * request (a client could flood the log). Before: 500 and a 28-line ERROR each.
   */
  @Test
  void aBrokenBodyStreamIs4xxNamingTheBodyNotAServerError() throws Exception {
    record Route(String head, String auth) {}
    List<Route> routes = List.of(new Route("POST /v1/events", INGEST), new Route("PUT /v1/profiles/alice/attributes", ADMIN),
        new Route("POST /v1/identify", INGEST));
    Map<String, String> chunked = Map.of("ZZ\r\nabc\r\n0\r\n\r\n", "HTTP/1.1 400", "5\r\nabcdefgh\r\n0\r\n\r\n", "HTTP/1.1 400",
        "-1\r\nabc\r\n0\r\n\r\n", "HTTP/1.1 400", "fffffffffffffffffffff\r\nabc\r\n0\r\n\r\n", "HTTP/1.1 413");
    try (LogLines log = LogLines.attach(dev.profileengine.gateway.http.ErrorHandling.class)) {
      for (Route r : routes) {
        String head = r.head() + " HTTP/1.1\r\nHost: x\r\nAuthorization: " + r.auth() + "\r\nContent-Type: application/json\r\n";
        for (var body : chunked.entrySet()) {
          String answer = raw(head + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + body.getKey());
          assertTrue(answer.startsWith(body.getValue()), r.head() + " " + body.getKey() + ": " + answer);
          assertTrue(answer.contains("\"field\":\"body\""), answer);
        }
        // The client sends part of its body and stops sending: the stream ends early.
        try (java.net.Socket socket = new java.net.Socket(node.base.getHost(), node.base.getPort())) {
          socket.setSoTimeout(10_000);
          socket.getOutputStream().write((head + "Content-Length: 500\r\n\r\n{").getBytes(StandardCharsets.ISO_8859_1));
          socket.shutdownOutput();
          String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
          assertTrue(answer.isEmpty() || answer.startsWith("HTTP/1.1 400"), answer);
        }
      }
      assertTrue(log.lines().stream().noneMatch(l -> l.getLevel() == ch.qos.logback.classic.Level.ERROR),
          "no ERROR for a client's broken body: " + log.lines());
    }
    aliceIntact();
  }

  /** Sends {@code head}, then {@code body} in pieces of 8 KiB (so it streams in), and returns what the node answers until it closes. */
  private static String rawInPieces(String head, byte[] body) throws Exception {
    try (java.net.Socket socket = new java.net.Socket(node.base.getHost(), node.base.getPort())) {
      socket.setSoTimeout(10_000);
      var out = socket.getOutputStream();
      out.write(head.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      try {
        for (int at = 0; at < body.length; at += 8192) {
          out.write(body, at, Math.min(8192, body.length - at));
          out.flush();
        }
      } catch (java.net.SocketException answeredEarly) {
        // the node answered (and closed) before the whole body was sent: read its answer
      }
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /**
   * Heads the parser would read leniently: {@code Content-Length: 81 5} as 81, a length folded onto
   * a second line alike; the client and the node would disagree on where the request ends (the
   * trailing bytes a second request). Each is one 400 naming the header, then the connection
   * closes, and the event in the body is not stored. Headers the parser refuses are named too.
   */
  @Test
  void aLengthTheParserWouldReadLenientlyIsRefusedNamingItAndNothingIsStored() throws Exception {
    String body = event("smuggled", "mallory", Instant.now().minusSeconds(60).toString());
    String head = "POST /v1/events HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + INGEST + "\r\nContent-Type: application/json\r\n";
    for (String[] c : new String[][] {{"Content-Length: " + body.length() + " 5\r\n", "Content-Length"},
        {"Content-Length: " + body.length() + "\r\n 5\r\n", "headers"}}) {
      String answer = raw(head + c[0] + "\r\n" + body + "5{}{}");
      assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
      assertEquals(1, answer.split("HTTP/1.1 ").length - 1, "one answer, then closed: " + answer);
      assertEquals(c[1], Json.MAPPER.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4)).path("field").asText(), answer);
    }
    assertEquals(404, node.get("/v1/profiles/mallory", READ).statusCode(), "nothing stored for the refused requests");
    // Refused by the parser itself, with the header it names.
    for (String[] c : new String[][] {{"GET /health HTTP/1.1\r\n", "Host"}, {"GET http://evil.example/health HTTP/1.1\r\nHost: localhost\r\n", "Host"},
        {"POST /v1/events HTTP/1.1\r\nHost: localhost\r\nContent-Length: 2\r\nContent-Length: 3\r\n", "Content-Length"},
        {"POST /v1/events HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip, chunked\r\n", "Transfer-Encoding"}}) {
      String answer = raw(c[0] + "Connection: close\r\n\r\n");
      assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
      assertEquals(c[1], Json.MAPPER.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4)).path("field").asText(), answer);
    }
    aliceIntact();
  }

  /** Sends {@code request} as it is on a new connection and returns everything the node answers until it closes. */
  private static String raw(String request) throws Exception {
    try (java.net.Socket socket = new java.net.Socket(node.base.getHost(), node.base.getPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void asOfOutsideItsRangeIsRefusedNamingItOverHttpAndGrpc() throws Exception {
    for (String at : OUTSIDE) {
      JsonNode e = assertRefused(node.get("/v1/profiles/alice?asOf=" + q(at), READ), 400, "asOf");
      assertTrue(e.get("error").asText().contains("1970-01-01T00:00:00Z"), e.toString());
      assertRefused(node.send("POST", "/v1/segments/reevaluate?asOf=" + q(at), "", ADMIN), 400, "asOf");
      Status s = TestGrpc.status(assertThrows(Exception.class, () -> grpcRead.getProfile(
          GetProfileRequest.newBuilder().setUserId("alice").setAsOf(at).build()).toCompletableFuture().get(30, TimeUnit.SECONDS)));
      assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode(), at);
      assertTrue(s.getDescription().startsWith("as_of:"), s.getDescription());
      aliceIntact();
    }
    assertRefused(node.get("/v1/profiles/alice?asOf=" + q("2017-13-01T00:00:00Z"), READ), 400, "asOf");
    assertRefused(node.get("/v1/profiles/alice?asOf=" + "9".repeat(1000), READ), 400, "asOf");
  }

  @Test
  void asOfAtTheEdgesOfItsRangeIsServedAndReachesEntitiesHarmlessly() throws Exception {
    for (String at : EDGES) {
      HttpResponse<String> p = node.get("/v1/profiles/alice?asOf=" + q(at), READ);
      assertEquals(200, p.statusCode(), p.body());
      assertEquals(Instant.parse(at).toEpochMilli(), Instant.parse(Json.MAPPER.readTree(p.body()).get("asOf").asText()).toEpochMilli());
      assertEquals(2, grpcRead.getProfile(GetProfileRequest.newBuilder().setUserId("alice").setAsOf(at).build())
          .toCompletableFuture().get(30, TimeUnit.SECONDS).getEventCount());
    }
    // a re-evaluation as of the last instant reaches every entity (202, or 409 while one runs)
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    int status;
    do {
      status = node.send("POST", "/v1/segments/reevaluate?asOf=" + q("9999-12-31T23:59:59.999Z"), "", ADMIN).statusCode();
    } while (status == 409 && System.nanoTime() < deadline);
    assertEquals(202, status);
    deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    JsonNode run;
    do {
      Thread.sleep(100); // polling the status until the run ends, within the deadline
      run = Json.MAPPER.readTree(node.get("/v1/segments", READ).body()).path("reevaluation");
    } while (run.path("state").asText().equals("running") && System.nanoTime() < deadline);
    assertEquals("done", run.path("state").asText(), run.toString());
    assertTrue(run.path("profiles").asLong() >= 1, "the run reached the entities: " + run);
    aliceIntact();
    // and the entity still takes events after all this
    HttpResponse<String> more = node.send("POST", "/v1/events", event("a3", "alice-later", Instant.now().minusSeconds(5).toString()), INGEST);
    assertEquals(1, Json.MAPPER.readTree(more.body()).get("accepted").asLong(), more.body());
  }

  @Test
  void eventTimestampsAtTheEdgesAreRejectedNamingTheField() throws Exception {
    List<String> bad = new java.util.ArrayList<>(OUTSIDE);
    bad.add("9999-12-31T23:59:59Z");
    bad.add("1970-01-01T00:00:00Z");
    int n = 0;
    for (String at : bad) {
      HttpResponse<String> r = node.send("POST", "/v1/events", event("t" + n++, "alice", at), INGEST);
      assertEquals(200, r.statusCode(), r.body());
      JsonNode result = Json.MAPPER.readTree(r.body()).get("results").get(0);
      assertEquals("rejected", result.get("status").asText(), r.body());
      assertEquals("timestamp", result.get("field").asText(), r.body());
    }
    for (String ms : List.of("0", Long.toString(Long.MAX_VALUE), Long.toString(Long.MIN_VALUE), "99999999999999999999999999999")) {
      String body = "{\"eventId\":\"m" + n++ + "\",\"userId\":\"alice\",\"type\":\"view\",\"timestamp\":" + ms + "}";
      JsonNode result = Json.MAPPER.readTree(node.send("POST", "/v1/events", body, INGEST).body()).get("results").get(0);
      assertEquals("rejected", result.get("status").asText(), body);
      assertEquals("timestamp", result.get("field").asText(), body);
    }
    List<Event> grpcEvents = List.of(
        Event.newBuilder().setEventId("g1").setUserId("alice").setType("view").setTimestampMs(Long.MAX_VALUE).build(),
        Event.newBuilder().setEventId("g2").setUserId("alice").setType("view").setTimestampMs(Long.MIN_VALUE).build(),
        Event.newBuilder().setEventId("g3").setUserId("alice").setType("view").setTimestampMs(1).build(),
        Event.newBuilder().setEventId("g4").setUserId("alice").setType("view").setTimestampIso(Instant.MAX.toString()).build(),
        Event.newBuilder().setEventId("g5").setUserId("alice").setType("view").setTimestampIso(Instant.MIN.toString()).build(),
        Event.newBuilder().setEventId("g6").setUserId("alice").setType("view").setTimestampIso("9999-12-31T23:59:59Z").build());
    var reply = grpcIngest.ingestEvents(IngestRequest.newBuilder().addAllEvents(grpcEvents).build()).toCompletableFuture().get(30, TimeUnit.SECONDS);
    var streamed = grpcIngest.streamEvents(Source.from(grpcEvents)).runWith(Sink.seq(), node.node.system()).toCompletableFuture().get(30, TimeUnit.SECONDS);
    for (List<EventResult> results : List.of(reply.getResultsList(), streamed)) {
      assertEquals(grpcEvents.size(), results.size());
      for (EventResult r : results) {
        assertEquals("rejected", r.getStatus(), r.toString());
        assertEquals("timestamp", r.getField(), r.toString());
      }
    }
    aliceIntact();
  }

  /** Control characters (NUL, LF, ESC, DEL, C1) and one character over the limit. */
  static final List<String> BAD_IDS = List.of("a%00b", "a%0Ab", "a%1Bb", "a%7Fb", "a%C2%85b", "x".repeat(RequestChecks.MAX_ID_LENGTH + 1));

  /** Profile reads are matched ahead of the route tree (ProfileReadPath): every shape of the path answers as the tree did. */
  @Test
  void aProfileReadAnswersAlikeWhateverTheShapeOfItsPath() throws Exception {
    for (String path : List.of("/v1/profiles/alice", "/v1/profiles/alice/", "/v1/profiles/%61lice", "/v1/profiles/alice?identity=")) {
      HttpResponse<String> r = node.get(path, READ);
      assertEquals(200, r.statusCode(), path + ": " + r.body());
      assertEquals("alice", Json.MAPPER.readTree(r.body()).get("userId").asText(), path);
      assertTrue(r.headers().firstValue("X-Request-Id").isPresent(), path);
    }
    HttpResponse<String> post = node.send("POST", "/v1/profiles/alice", "{}", ADMIN);
    assertEquals(405, post.statusCode(), post.body());
    assertTrue(post.body().contains("GET"), post.body());
    assertEquals(401, node.get("/v1/profiles/alice").statusCode());
    assertEquals(403, node.get("/v1/profiles/alice", INGEST).statusCode());
    assertEquals(404, node.get("/v1/profiles/alice//", READ).statusCode());
    assertEquals(404, node.get("/v1/profiles/alice/nothing", READ).statusCode());
    assertRefused(node.get("/v1/profiles/alice?asOf=yesterday", READ), 400, "asOf");
    assertRefused(node.get("/v1/profiles/alice?identity=nonsense", READ), 400, "identity");
    assertTrue(node.get("/metrics").body().contains("route=\"profile\""), "reads are timed under their route");
  }

  @Test
  void badIdsAreRefusedOnEveryRouteAndRpc() throws Exception {
    for (String id : BAD_IDS) {
      assertRefused(node.get("/v1/profiles/" + id, ADMIN), 400, "userId");
      assertRefused(node.send("PUT", "/v1/profiles/" + id + "/attributes", "{\"a\":1}", ADMIN), 400, "userId");
      assertRefused(node.get("/v1/profiles/" + id + "/recommendations", ADMIN), 400, "userId");
      assertRefused(node.get("/v1/profiles/" + id + "/export", ADMIN), 400, "userId");
      assertRefused(node.send("PUT", "/v1/profiles/" + id + "/consent", "{\"ads\":true}", ADMIN), 400, "userId");
      assertRefused(node.send("DELETE", "/v1/profiles/" + id, "", ADMIN), 400, "userId");
      assertRefused(node.get("/v1/segments/" + id + "/members", ADMIN), 400, "segmentId");
      assertRefused(node.get("/v1/segments/cart_abandoners/members?after=" + id, ADMIN), 400, "after");
      assertRefused(node.send("POST", "/v1/models/" + id + "/activate", "", ADMIN), 400, "version");
      assertRefused(node.get("/v1/changes?userId=" + id, ADMIN), 400, "userId");
      assertRefused(node.get("/v1/changes?segment=" + id, ADMIN), 400, "segment");
      String raw = java.net.URLDecoder.decode(id, StandardCharsets.UTF_8);
      String quoted = Json.MAPPER.writeValueAsString(raw);
      for (String field : List.of("userId", "eventId")) {
        String body = "{\"eventId\":\"e1\",\"userId\":\"u1\",\"type\":\"view\",\"timestamp\":\"" + Instant.now().minusSeconds(9) + "\"}";
        body = body.replace("\"" + field + "\":\"" + (field.equals("userId") ? "u1" : "e1") + "\"", "\"" + field + "\":" + quoted);
        JsonNode result = Json.MAPPER.readTree(node.send("POST", "/v1/events", body, INGEST).body()).get("results").get(0);
        assertEquals("rejected", result.get("status").asText(), body);
        assertEquals(field, result.get("field").asText(), body);
      }
      Status s = TestGrpc.status(assertThrows(Exception.class, () -> grpcRead.getProfile(
          GetProfileRequest.newBuilder().setUserId(raw).build()).toCompletableFuture().get(30, TimeUnit.SECONDS)));
      assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode());
      assertTrue(s.getDescription().startsWith("user_id:"), s.getDescription());
      Status sub = TestGrpc.status(assertThrows(Exception.class, () -> grpcRead.subscribeProfileChanges(
              SubscribeRequest.newBuilder().addUserIds("fine").addUserIds(raw).build())
          .runWith(Sink.head(), node.node.system()).toCompletableFuture().get(30, TimeUnit.SECONDS)));
      assertEquals(Status.Code.INVALID_ARGUMENT, sub.getCode());
      EventResult r = grpcIngest.ingestEvents(IngestRequest.newBuilder().addEvents(Event.newBuilder().setEventId("e1").setUserId(raw)
          .setType("view").setTimestampMs(Instant.now().minusSeconds(9).toEpochMilli())).build())
          .toCompletableFuture().get(30, TimeUnit.SECONDS).getResults(0);
      assertEquals("rejected", r.getStatus());
      assertEquals("userId", r.getField());
    }
    aliceIntact();
  }

  @Test
  void aBodyDeclaredAsAnythingButJsonIs415NamingContentType() throws Exception {
    String ts = Instant.now().minusSeconds(9).toString();
    for (String type : List.of("text/plain", "application/x-www-form-urlencoded", "application/xml", "multipart/form-data; boundary=x", "foo")) {
      byte[] body = event("ct-" + type.length(), "ctype", ts).getBytes(StandardCharsets.UTF_8);
      assertRefused(node.sendBytes("POST", "/v1/events", body, INGEST, Map.of("Content-Type", type)), 415, "Content-Type");
      assertRefused(node.sendBytes("PUT", "/v1/profiles/alice/attributes", "{\"tier\":\"x\"}".getBytes(StandardCharsets.UTF_8), INGEST,
          Map.of("Content-Type", type)), 415, "Content-Type");
    }
    assertEquals(404, node.get("/v1/profiles/ctype", READ).statusCode(), "nothing declared as another type was stored");
    int n = 0;
    for (Map<String, String> declared : List.of(Map.<String, String>of(), Map.of("Content-Type", "application/json; charset=utf-8"),
        Map.of("Content-Type", "application/vnd.shop+json"))) {
      HttpResponse<String> r = node.sendBytes("POST", "/v1/events", event("ct-ok" + n++, "ctype", ts).getBytes(StandardCharsets.UTF_8), INGEST, declared);
      assertEquals(200, r.statusCode(), declared + ": " + r.body());
      assertEquals(1, Json.MAPPER.readTree(r.body()).get("accepted").asLong(), declared + ": " + r.body());
    }
    aliceIntact();
  }

  @Test
  void compressedBodiesAreDecodedAndHeldToTheLimitOnceDecoded() throws Exception {
    String ts = Instant.now().minusSeconds(9).toString();
    Map<String, String> gzip = Map.of("Content-Type", "application/json", "Content-Encoding", "gzip");
    HttpResponse<String> ok = node.sendBytes("POST", "/v1/events", gzip(event("gz1", "zipped", ts).getBytes(StandardCharsets.UTF_8)), INGEST, gzip);
    assertEquals(200, ok.statusCode(), ok.body());
    assertEquals(1, Json.MAPPER.readTree(ok.body()).get("accepted").asLong(), ok.body());
    java.io.ByteArrayOutputStream deflated = new java.io.ByteArrayOutputStream();
    try (var out = new java.util.zip.DeflaterOutputStream(deflated)) {
      out.write(event("gz2", "zipped", ts).getBytes(StandardCharsets.UTF_8));
    }
    HttpResponse<String> ok2 = node.sendBytes("POST", "/v1/events", deflated.toByteArray(), INGEST,
        Map.of("Content-Type", "application/json", "Content-Encoding", "deflate"));
    assertEquals(1, Json.MAPPER.readTree(ok2.body()).get("accepted").asLong(), ok2.body());
    assertEquals(2, Json.MAPPER.readTree(node.get("/v1/profiles/zipped", READ).body()).get("eventCount").asLong());

    // 8 MiB of spaces before an event: about 8 KiB on the wire, 8 times the limit once decoded.
    byte[] bomb = gzip((" ".repeat(8 << 20) + event("gz3", "zipped", ts)).getBytes(StandardCharsets.UTF_8));
    assertTrue(bomb.length < 1 << 20, "the compressed body itself is within the limit: " + bomb.length);
    assertRefused(node.sendBytes("POST", "/v1/events", bomb, INGEST, gzip), 413, "body");
    // The same on routes with smaller limits (16 and 64 KiB), with a body that does not compress (so
    // it streams in): too large, not "corrupt" (a 400 before).
    byte[] noise = new byte[150_000];
    new java.util.Random(7).nextBytes(noise);
    byte[] big = gzip(("{\"userId\":\"" + java.util.Base64.getEncoder().encodeToString(noise) + "\"}").getBytes(StandardCharsets.UTF_8));
    for (String route : List.of("POST /v1/identify", "PUT /v1/profiles/zipped/attributes")) {
      String answer = rawInPieces(route + " HTTP/1.1\r\nHost: x\r\nAuthorization: " + ADMIN + "\r\nContent-Type: application/json\r\n"
          + "Content-Encoding: gzip\r\nContent-Length: " + big.length + "\r\nConnection: close\r\n\r\n", big);
      assertTrue(answer.startsWith("HTTP/1.1 413"), route + ": " + answer);
      assertTrue(answer.contains("\"field\":\"body\""), answer);
    }
    assertRefused(node.sendBytes("POST", "/v1/events", event("gz4", "zipped", ts).getBytes(StandardCharsets.UTF_8), INGEST, gzip), 400, "body");
    for (String coding : List.of("br", "compress", "x-mine")) {
      assertRefused(node.sendBytes("POST", "/v1/events", event("gz5", "zipped", ts).getBytes(StandardCharsets.UTF_8), INGEST,
          Map.of("Content-Type", "application/json", "Content-Encoding", coding)), 415, "Content-Encoding");
    }
    assertEquals(2, Json.MAPPER.readTree(node.get("/v1/profiles/zipped", READ).body()).get("eventCount").asLong());
    aliceIntact();
  }

  private static byte[] gzip(byte[] plain) throws java.io.IOException {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (var out = new java.util.zip.GZIPOutputStream(bytes)) {
      out.write(plain);
    }
    return bytes.toByteArray();
  }

  @Test
  void aFieldTheEventFormatDoesNotHaveRejectsTheEventNamingIt() throws Exception {
    String ts = Instant.now().minusSeconds(9).toString();
    String typo = event("typo1", "typos", ts).replace("\"price\"", "\"prize\"");
    String contextTypo = event("typo2", "typos", ts).replace("}", ",\"context\":{\"devise\":\"phone\"}}");
    String fine = event("typo3", "typos", ts).replace("}", ",\"context\":{\"device\":\"phone\"}}");
    JsonNode results = Json.MAPPER.readTree(node.send("POST", "/v1/events", "[" + typo + "," + contextTypo + "," + fine + "]", INGEST).body()).get("results");
    assertEquals("rejected", results.get(0).get("status").asText(), results.toString());
    assertEquals("prize", results.get(0).get("field").asText(), results.toString());
    assertEquals("context.devise", results.get(1).get("field").asText(), results.toString());
    assertEquals("accepted", results.get(2).get("status").asText(), results.toString());
    assertEquals(1, Json.MAPPER.readTree(node.get("/v1/profiles/typos", READ).body()).get("eventCount").asLong());
  }

  @Test
  void aBodyDrippingInIsRefusedAtTheBodyTimeoutNotHeldForever() throws Exception {
    try (java.net.Socket socket = new java.net.Socket(node.base.getHost(), node.base.getPort())) {
      socket.setSoTimeout(30_000);
      java.io.OutputStream out = socket.getOutputStream();
      out.write(("POST /v1/events HTTP/1.1\r\nHost: " + node.base.getHost() + "\r\nAuthorization: " + INGEST
          + "\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n[").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      long start = System.nanoTime();
      java.io.InputStream in = socket.getInputStream();
      java.io.ByteArrayOutputStream answer = new java.io.ByteArrayOutputStream();
      // A byte every 100 ms keeps the connection busy (never idle) while the body never completes.
      while (!answer.toString(StandardCharsets.UTF_8).contains("}")) {
        if (in.available() > 0) {
          answer.write(in.readNBytes(in.available()));
          continue;
        }
        assertTrue(System.nanoTime() - start < 20_000_000_000L, "no answer within 20 s");
        try {
          out.write(' ');
          out.flush();
        } catch (java.io.IOException closed) {
          answer.write(in.readAllBytes()); // the node answered and closed: what it sent is still to be read
          break;
        }
        Thread.sleep(100);
      }
      String text = answer.toString(StandardCharsets.UTF_8);
      assertTrue(text.startsWith("HTTP/1.1 408"), text);
      assertTrue(text.contains("\"field\":\"body\""), text);
    }
    aliceIntact();
  }

  @Test
  void everyErrorNamesItsPartAndNoWriteMakesAProfileOutOfNothing() throws Exception {
    assertRefused(node.get("/v1/nothing-here", ADMIN), 404, "path");
    assertRefused(node.send("POST", "/v1/profiles/alice", "{}", ADMIN), 405, "method");
    JsonNode twice = assertRefused(node.get("/v1/profiles/alice?=1&=2", ADMIN), 400, "query");
    assertEquals("a query parameter is given more than once", twice.get("error").asText());
    for (String query : List.of("/v1/segments/cart_abandoners/members?after=%ED%A0%80", "/v1/changes?userId=%ED%A0%80",
        "/v1/changes?userId=%C0%AF", "/v1/changes?segment=%ED%A0%80")) {
      HttpResponse<String> r = node.get(query, ADMIN);
      assertEquals(400, r.statusCode(), query + ": " + r.body());
    }
    // Nothing to set on a profile nobody wrote: nothing stored, the answer names the user all the same.
    for (String body : List.of("{}", "{\"zz\":null}")) {
      HttpResponse<String> r = node.send("PUT", "/v1/profiles/never-written-7/attributes", body, ADMIN);
      assertEquals(200, r.statusCode(), r.body());
      assertEquals("never-written-7", Json.MAPPER.readTree(r.body()).get("userId").asText(), r.body());
      assertEquals(0, Json.MAPPER.readTree(r.body()).get("eventCount").asLong(), r.body());
    }
    assertEquals(404, node.get("/v1/profiles/never-written-7", ADMIN).statusCode());
    for (String path : List.of("/v1/profiles/alice", "/v1/profiles/alice?asOf=now", "/v1/nothing-here", "/health")) {
      assertEquals(java.util.Optional.of("nosniff"), node.get(path, READ).headers().firstValue("X-Content-Type-Options"), path);
    }
  }

  @Test
  void aFieldGivenTwiceIsRefusedNamingIt() throws Exception {
    String ts = Instant.now().minusSeconds(9).toString();
    String twice = "{\"eventId\":\"d1\",\"userId\":\"alice\",\"userId\":\"mallory\",\"type\":\"view\",\"timestamp\":\"" + ts + "\"}";
    assertRefused(node.send("POST", "/v1/events", twice, INGEST), 400, "userId");
    assertRefused(node.send("POST", "/v1/events", "[" + twice.replace("d1", "d0").replace(",\"userId\":\"mallory\"", "") + "," + twice + "]", INGEST),
        400, "[1].userId");
    assertRefused(node.send("POST", "/v1/identify", "{\"userId\":\"alice\",\"identities\":{\"device\":\"a\",\"device\":\"b\"}}", INGEST),
        400, "identities.device");
    assertRefused(node.send("PUT", "/v1/profiles/alice/attributes", "{\"tier\":\"gold\",\"tier\":\"silver\"}", INGEST), 400, "tier");
    aliceIntact();
  }

  @Test
  void tenThousandDigitNumbersAreRefusedQuicklyNamingTheField() throws Exception {
    String huge = "9".repeat(10_000);
    String hugeFloat = "1." + "3".repeat(10_000);
    String ts = Instant.now().minusSeconds(9).toString();
    for (String n : List.of(huge, hugeFloat, "-" + huge)) {
      for (String field : List.of("price", "quantity", "timestamp", "dwellMs", "pageDepth", "userId", "eventId", "itemId")) {
        Map<String, Object> e = new java.util.LinkedHashMap<>(Map.of("eventId", "n1", "userId", "alice", "type", "view", "timestamp", ts));
        String body = Json.MAPPER.writeValueAsString(e).replaceFirst("\\}$", (e.containsKey(field) ? "" : ",\"" + field + "\":0") + "}");
        body = body.replaceFirst("\"" + field + "\":(\"[^\"]*\"|0)", "\"" + field + "\":" + n);
        long start = System.nanoTime();
        assertRefused(node.send("POST", "/v1/events", body, INGEST), 400, field);
        assertRefused(node.send("POST", "/v1/events", "[" + body + "]", INGEST), 400, "[0]." + field);
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(2).toNanos(), "refused quickly");
      }
      assertRefused(node.send("PUT", "/v1/profiles/alice/attributes", "{\"age\":" + n + "}", INGEST), 400, "age");
      assertRefused(node.send("PUT", "/v1/profiles/alice/consent", "{\"ads\":" + n + "}", INGEST), 400, "ads");
      assertRefused(node.send("POST", "/v1/events", "{\"eventId\":\"n2\",\"userId\":\"alice\",\"type\":\"view\",\"timestamp\":\"" + ts
          + "\",\"context\":{\"city\":" + n + "}}", INGEST), 400, "context.city");
    }
    // at the limit a number is read (and judged by the field's own rules)
    String forty = "1" + "0".repeat(Json.MAX_NUMBER_LENGTH - 1);
    HttpResponse<String> atLimit = node.send("POST", "/v1/events", "{\"eventId\":\"n3\",\"userId\":\"alice\",\"type\":\"view\",\"timestamp\":\"" + ts
        + "\",\"quantity\":" + forty + "}", INGEST);
    assertEquals(200, atLimit.statusCode(), atLimit.body());
    assertEquals("quantity", Json.MAPPER.readTree(atLimit.body()).get("results").get(0).get("field").asText());
    // beyond an int, the refusal quotes the value sent, over both protocols
    for (long sent : new long[] {2147483648L, 99999999999L, -2147483649L}) {
      HttpResponse<String> r = node.send("POST", "/v1/events", "{\"eventId\":\"n4\",\"userId\":\"alice\",\"type\":\"view\",\"timestamp\":\"" + ts
          + "\",\"quantity\":" + sent + "}", INGEST);
      JsonNode result = Json.MAPPER.readTree(r.body()).get("results").get(0);
      assertEquals("quantity", result.get("field").asText(), r.body());
      assertTrue(result.get("reason").asText().endsWith("(was " + sent + ")"), r.body());
      var grpc = grpcIngest.ingestEvents(IngestRequest.newBuilder().addEvents(Event.newBuilder().setEventId("n4").setUserId("alice").setType("view")
          .setTimestampIso(ts).setQuantity(com.google.protobuf.Int64Value.of(sent))).build()).toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertTrue(grpc.getResults(0).getReason().endsWith("(was " + sent + ")"), grpc.toString());
    }
    aliceIntact();
  }
}
