package dev.profileengine.gateway.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.settings.ServerSettings;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The heads the guard refuses before Akka's parser sees them: as pure checks, and through the real
 * server layer with the head split into separate pieces, as a client's TCP segments may split it.
 */
class RequestHeadTest {
  private static final ActorTestKit KIT = ActorTestKit.create();
  /** The bodies the handler was given, in order. */
  private static final List<String> handled = new java.util.concurrent.CopyOnWriteArrayList<>();

  @AfterAll
  static void stop() {
    KIT.shutdownTestKit();
  }

  private static ByteString bytes(String s) {
    return ByteString.fromString(s, StandardCharsets.ISO_8859_1);
  }

  @Test
  void aHeadEndsAtItsEmptyLine() {
    assertEquals(-1, RequestHead.end(bytes("GET / HTTP/1.1\r\nHost: a\r\n")));
    assertEquals(27, RequestHead.end(bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\nbody")));
    assertEquals(24, RequestHead.end(bytes("GET / HTTP/1.1\nHost: a\n\nbody")), "bare line feeds, as the parser takes them");
  }

  @Test
  void aContentLengthIsDigitsOnly() {
    for (String value : List.of("1 0", "+5", "-1", "0x10", "", "5,5", "1\t0")) {
      RequestHead.Refusal r = RequestHead.check(bytes("POST /v1/events HTTP/1.1\r\nHost: a\r\nContent-Length: " + value + "\r\n\r\n")).refusal();
      assertEquals("Content-Length", r == null ? null : r.field(), "'" + value + "'");
      assertEquals(400, r.status());
    }
    assertNull(RequestHead.check(bytes("POST /v1/events HTTP/1.1\r\nHost: a\r\ncontent-length:  10 \r\n\r\n")).refusal());
  }

  @Test
  void aFoldedHeaderAndAnHttp10TransferEncodingAreRefused() {
    assertEquals("headers", RequestHead.check(bytes("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n 0\r\n\r\n")).refusal().field());
    assertEquals("headers", RequestHead.check(bytes("POST / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n\t0\r\n\r\n")).refusal().field());
    assertEquals("Transfer-Encoding", RequestHead.check(bytes("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n")).refusal().field());
    assertNull(RequestHead.check(bytes("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n")).refusal());
    assertNull(RequestHead.check(bytes("GET / HTTP/1.0\r\n\r\n")).refusal());
    assertNull(RequestHead.check(bytes("\r\n\r\n")).refusal(), "the parser answers an empty head itself");
  }

  /** The connection's answer to {@code pieces}, each handed to the guard on its own; the connection stays open after them. */
  private static String answer(String... pieces) throws Exception {
    return answer(false, pieces);
  }

  /** The same; {@code untilClosed}: everything until the connection closes, else up to the first handled request's answer. */
  private static String answer(boolean untilClosed, String... pieces) throws Exception {
    ServerSettings settings = ServerSettings.create(KIT.system().settings().config());
    Set<ConnectionGuard.Handle> open = ConcurrentHashMap.newKeySet();
    ConnectionGuard guard = new ConnectionGuard(Duration.ofSeconds(30), new AtomicLong(), new ConnectionGuard.Registry() {
      @Override
      public void opened(ConnectionGuard.Handle connection) {
        open.add(connection);
      }

      @Override
      public void closed(ConnectionGuard.Handle connection) {
        open.remove(connection);
      }
    });
    var connection = HttpServer.guarded(KIT.system(), settings, akka.event.NoLogging.getInstance(), guard,
        (HttpRequest request) -> request.entity().toStrict(5_000, KIT.system()).thenApply(body -> {
          handled.add(body.getData().utf8String());
          return HttpResponse.create().withEntity(HttpEntities.create("handled"));
        }));
    CompletableFuture<ByteString> out = Source.from(List.of(pieces)).map(RequestHeadTest::bytes).concat(Source.maybe())
        .via(connection)
        .takeWhile(b -> untilClosed || !b.utf8String().contains("handled"), true)
        .runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), KIT.system())
        .toCompletableFuture();
    return out.get(20, TimeUnit.SECONDS).utf8String();
  }

  @Test
  void aHeadSplitAnywhereIsCheckedWhole() throws Exception {
    handled.clear(); // each test sees only its own requests, whatever their order
    // Split in the request line and between header lines: each refused with the header named, the connection closed.
    for (String[] pieces : new String[][] {
        {"POST /v1/events HTTP/1.0\r\nHost: a\r\n", "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"},
        {"POST /v1/events HT", "TP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"},
        {"POST /v1/events HTTP/1.1\r\nHost: a\r\nContent-Len", "gth: 1 0\r\n\r\n0123456789"},
        {"POST /v1/events HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\n", " 0\r", "\n\r\n0123456789"}}) {
      String answer = answer(pieces);
      assertTrue(answer.startsWith("HTTP/1.1 400 Bad Request\r\n"), String.join("|", pieces) + " -> " + answer);
      String field = String.join("", pieces).contains("HTTP/1.0") ? "Transfer-Encoding"
          : pieces.length == 3 ? "headers" : "Content-Length";
      assertTrue(answer.contains("\"field\":\"" + field + "\""), answer);
      assertEquals(1, answer.split("HTTP/1.1 ").length - 1, "one answer, then closed: " + answer);
    }
    assertTrue(handled.isEmpty(), "no refused request reached the handler: " + handled);
    // A head over the limit, never ended: 431 once the limit is passed.
    String big = answer("GET / HTTP/1.1\r\nHost: a\r\n", ("X-Pad: " + "p".repeat(1000) + "\r\n").repeat(70));
    assertTrue(big.startsWith("HTTP/1.1 431 "), big);
    // The same requests well formed, split the same ways, reach the handler with their bodies.
    String ok = answer("POST /v1/events HTTP/1.1\r\nHost: a\r\nContent-Len", "gth: 10\r", "\n\r\n0123", "456789");
    assertTrue(ok.startsWith("HTTP/1.1 200 OK"), ok);
    assertEquals(List.of("0123456789"), handled);
  }

  @Test
  void aChunkedBodyIsReadToItsEndAndTheHeadAfterItIsChecked() throws Exception {
    handled.clear();
    String answer = answer(true, "POST /a HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n4;x=y\r\nab", "cd\r\n0\r\n",
        "Trailer-A: 1\r\n\r\nPOST /b HTTP/1.1\r\nHost: a\r\nContent-Length: 1 0\r\n\r\n0123456789");
    assertTrue(answer.startsWith("HTTP/1.1 200 OK"), answer);
    assertTrue(answer.contains("HTTP/1.1 400 Bad Request") && answer.contains("\"field\":\"Content-Length\""), answer);
    assertEquals(List.of("abcd"), handled, "the chunked body reached the handler whole, the refused request did not");
  }

  @Test
  void aChunkedBodysEndIsFoundHoweverItsFramingIsSplit() {
    String body = "3\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nT: v\r\n\r\n";
    for (int cut = 1; cut < body.length(); cut++) {
      ChunkedBody c = new ChunkedBody();
      assertEquals(cut, c.consume(bytes(body.substring(0, cut))));
      assertTrue(!c.done(), "not done at " + cut);
      assertEquals(body.length() - cut, c.consume(bytes(body.substring(cut) + "GET /")), "cut at " + cut);
      assertTrue(c.done());
    }
    assertEquals(-1, new ChunkedBody().consume(bytes("zz\r\n")), "not a size");
    assertEquals(-1, new ChunkedBody().consume(bytes("2\r\nabX\r\n")), "data longer than its size");
  }
}
