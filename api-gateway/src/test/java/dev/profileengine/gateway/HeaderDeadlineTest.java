package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slow request heads (Slowloris) against a real node whose {@code header-timeout} is 2 s and whose
 * port takes 20 connections: a head dripping in is answered 408 naming {@code headers} at the
 * deadline, a connection that sends nothing is closed at it, keep-alive and pipelining still work,
 * and clients that only hold connections cannot keep the port from others. Akka HTTP alone held
 * such a connection until its idle timeout (120 s), every byte restarting it.
 */
class HeaderDeadlineTest {
  private static final long DEADLINE_MS = 2_000;

  @TempDir
  static Path dataDir;
  static TestNode node;

  @BeforeAll
  static void start() {
    node = TestNode.start(dataDir, Map.of("profile.http.header-timeout", DEADLINE_MS + "ms", "akka.http.server.max-connections", 20));
  }

  @AfterAll
  static void stop() {
    node.close();
  }

  private static Socket connect() throws IOException {
    Socket socket = new Socket(node.base.getHost(), node.base.getPort());
    socket.setSoTimeout(30_000);
    return socket;
  }

  private static String get(String path) {
    return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
  }

  /** Sends {@code head}, then a header line every 200 ms until the node answers or closes; returns what it sent. */
  private static String dripHead(Socket socket, String head) throws Exception {
    OutputStream out = socket.getOutputStream();
    InputStream in = socket.getInputStream();
    out.write(head.getBytes(StandardCharsets.US_ASCII));
    ByteArrayOutputStream answer = new ByteArrayOutputStream();
    long start = System.nanoTime();
    while (true) {
      if (in.available() > 0) {
        answer.write(in.readNBytes(in.available()));
        continue;
      }
      assertTrue(System.nanoTime() - start < 10_000_000_000L, "the head was still being read after 10 s");
      try {
        out.write("X-Slow: 1\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
      } catch (IOException closed) {
        answer.write(in.readAllBytes()); // the node answered and closed: what it sent is still to be read
        return answer.toString(StandardCharsets.UTF_8);
      }
      Thread.sleep(200); // the client's pace, not a wait for the node
    }
  }

  /** Reads one response to a request without a body (up to the end of the JSON body of /health). */
  private static String readResponse(InputStream in) throws IOException {
    ByteArrayOutputStream answer = new ByteArrayOutputStream();
    while (!answer.toString(StandardCharsets.UTF_8).endsWith("}")) {
      int b = in.read();
      if (b < 0) break;
      answer.write(b);
    }
    return answer.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aHeadDrippingInIsAnswered408NamingTheHeadersAtTheDeadline() throws Exception {
    long start = System.nanoTime();
    String answer;
    try (Socket socket = connect()) {
      answer = dripHead(socket, "GET /health HTTP/1.1\r\nHost: localhost\r\n");
    }
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertTrue(answer.startsWith("HTTP/1.1 408"), answer);
    assertTrue(answer.contains("\"field\":\"headers\""), answer);
    assertTrue(answer.contains("Connection: close"), answer);
    assertTrue(ms >= DEADLINE_MS - 100, "closed before the deadline: " + ms + " ms");
    String metrics = node.get("/metrics", null).body();
    assertTrue(metrics.lines().anyMatch(l -> l.startsWith("profile_http_header_timeouts_total ") && !l.endsWith(" 0.0")), metrics);
  }

  @Test
  void aConnectionThatSendsNothingIsClosedAtTheDeadlineWithoutAnAnswer() throws Exception {
    try (Socket socket = connect()) {
      long start = System.nanoTime();
      socket.setSoTimeout(10_000);
      int read;
      try {
        read = socket.getInputStream().read();
      } catch (SocketTimeoutException e) {
        throw new AssertionError("a silent connection was still open after 10 s");
      }
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertEquals(-1, read, "closed without an answer: nothing was asked");
      assertTrue(ms >= DEADLINE_MS - 100, "closed before the deadline: " + ms + " ms");
    }
  }

  @Test
  void keepAliveAndPipeliningAreUntouchedAndEachLaterHeadHasItsOwnDeadline() throws Exception {
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write((get("/health") + get("/health")).getBytes(StandardCharsets.US_ASCII));
      assertTrue(readResponse(in).startsWith("HTTP/1.1 200"));
      assertTrue(readResponse(in).startsWith("HTTP/1.1 200"));
      // Idle longer than the deadline between requests: the idle timeout's time, not the head's.
      Thread.sleep(DEADLINE_MS + 1_000); // the client's pause
      out.write(get("/health").getBytes(StandardCharsets.US_ASCII));
      assertTrue(readResponse(in).startsWith("HTTP/1.1 200"));
      // The next head, dripping in on the same connection, meets the deadline of its own.
      String answer = dripHead(socket, "GET /health HTTP/1.1\r\n");
      assertTrue(answer.startsWith("HTTP/1.1 408"), answer);
    }
  }

  /**
   * Heads pipelined in the same packet as a request are held and checked as any: half of one
   * meets the deadline once the request before it is answered (Akka held it until the idle
   * timeout, 120 s), and one with a length the parser would read leniently is refused after the
   * answers before it.
   */
  @Test
  void aPipelinedHeadIsCheckedAndHasItsDeadlineOnceTheRequestBeforeItIsAnswered() throws Exception {
    try (Socket socket = connect()) {
      socket.getOutputStream().write((get("/health") + "GET /health HTTP/1.1\r\nHost: local").getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      assertTrue(readResponse(in).startsWith("HTTP/1.1 200"));
      long answered = System.nanoTime();
      String rest = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      long ms = (System.nanoTime() - answered) / 1_000_000;
      assertTrue(rest.startsWith("HTTP/1.1 408"), rest);
      assertTrue(ms < DEADLINE_MS + 2_000, "closed after " + ms + " ms");
    }
    try (Socket socket = connect()) {
      socket.getOutputStream().write((get("/health") + get("/health")
          + "POST /v1/events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2 0\r\n\r\n[]"
          + get("/health")).getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      String first = readResponse(in);
      assertTrue(first.startsWith("HTTP/1.1 200"), first);
      String second = readResponse(in);
      assertTrue(second.startsWith("HTTP/1.1 200"), second);
      String rest = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(rest.startsWith("HTTP/1.1 400"), rest);
      assertTrue(rest.contains("\"field\":\"Content-Length\""), rest);
      assertEquals(1, rest.split("HTTP/1.1 ").length - 1, "nothing answered after the refusal: " + rest);
    }
  }

  @Test
  void bytesSentWhileAChangeStreamIsSentDoNotCutItWithA408() throws Exception {
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write("GET /v1/changes HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      ByteArrayOutputStream seen = new ByteArrayOutputStream();
      while (!seen.toString(StandardCharsets.US_ASCII).contains("\r\n\r\n")) seen.write(in.read());
      assertTrue(seen.toString(StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200"), seen.toString(StandardCharsets.US_ASCII));
      // Bytes sent while the stream is being sent (half a pipelined head) must not start a head
      // deadline: its 408 would land in the middle of the stream.
      out.write("GET /health HTTP/1.1\r\nHost: local".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      socket.setSoTimeout(200);
      long until = System.nanoTime() + (DEADLINE_MS + 2_000) * 1_000_000L;
      while (System.nanoTime() < until) { // reads the stream (heartbeats) past the deadline
        try {
          int b = in.read();
          assertTrue(b >= 0, "the stream was closed: " + seen.toString(StandardCharsets.US_ASCII));
          seen.write(b);
        } catch (SocketTimeoutException quiet) {
          // nothing sent in the last 200 ms
        }
      }
      assertTrue(!seen.toString(StandardCharsets.US_ASCII).contains("408"), seen.toString(StandardCharsets.US_ASCII));
    }
  }

  @Test
  void aResponseOfKnownLengthKeepsItsContentLength() throws Exception {
    for (String method : List.of("GET")) {
      try (Socket socket = connect()) {
        socket.getOutputStream().write((method + " /openapi.yaml HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        while (!seen.toString(StandardCharsets.US_ASCII).contains("\r\n\r\n")) {
          int b = socket.getInputStream().read();
          assertTrue(b >= 0, "closed before the head: " + seen);
          seen.write(b);
        }
        String head = seen.toString(StandardCharsets.US_ASCII).toLowerCase(java.util.Locale.ROOT);
        assertTrue(head.startsWith("http/1.1 200"), head);
        // A streamed body (the file is read as it is sent) that says its length: not chunked.
        assertTrue(head.contains("\r\ncontent-length: "), method + ": " + head);
        assertTrue(!head.contains("transfer-encoding"), method + ": " + head);
      }
    }
  }

  @Test
  void anHttp10RequestWithATransferEncodingIsA400NamingTheHeader() throws Exception {
    try (Socket socket = connect()) {
      socket.getOutputStream().write("POST /v1/events HTTP/1.0\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
      assertTrue(answer.contains("\"field\":\"Transfer-Encoding\""), answer);
      assertTrue(answer.contains("X-Request-Id: "), "as every answer of the node: " + answer);
    }
    // A request Akka cannot parse is answered by the parser's handler: with a request id too.
    try (Socket socket = connect()) {
      socket.getOutputStream().write("GET /v1/profiles/%ZZ HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(answer.startsWith("HTTP/1.1 400") && answer.contains("X-Request-Id: "), answer);
    }
    // The connections after it are served as ever, HTTP/1.0 with a length included.
    try (Socket socket = connect()) {
      socket.getOutputStream().write("GET /health HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(answer.startsWith("HTTP/1.0 200") || answer.startsWith("HTTP/1.1 200"), answer);
    }
  }

  @Test
  void clientsHoldingEveryConnectionCannotKeepThePortFromOthers() throws Exception {
    List<Socket> held = new ArrayList<>();
    try {
      // As many connections as the port takes, each with half a head and then silent.
      for (int i = 0; i < 20; i++) {
        Socket s = connect();
        s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: local".getBytes(StandardCharsets.US_ASCII));
        held.add(s);
      }
      long start = System.nanoTime();
      try (Socket socket = connect()) {
        socket.getOutputStream().write(get("/health").getBytes(StandardCharsets.US_ASCII));
        socket.setSoTimeout(10_000);
        String answer;
        try {
          answer = readResponse(socket.getInputStream());
        } catch (SocketTimeoutException e) {
          throw new AssertionError("no answer within 10 s while 20 slow clients hold the port");
        }
        assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
      }
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertTrue(ms < 2 * DEADLINE_MS + 2_000, "answered only after " + ms + " ms");
    } finally {
      for (Socket s : held) s.close();
    }
  }

  /**
   * The gRPC port alike: connections that send nothing or half of the HTTP/2 preface are closed at
   * the deadline, so a gRPC client is answered while as many as the port takes are held. Akka's own
   * binding kept silent ones until the idle timeout (120 s): the call waited that long.
   */
  @Test
  void silentClientsCannotKeepTheGrpcPortFromOthers() throws Exception {
    int port = node.node.grpcPort();
    List<Socket> held = new ArrayList<>();
    dev.profileengine.grpc.ProfileServiceClient client = null;
    try {
      for (int i = 0; i < 20; i++) {
        Socket s = new Socket(node.base.getHost(), port);
        s.setSoTimeout(30_000);
        held.add(s);
      }
      long start = System.nanoTime();
      client = TestGrpc.client(node, null);
      var profile = client.getProfile(dev.profileengine.grpc.GetProfileRequest.newBuilder().setUserId("nobody").build()).toCompletableFuture();
      try {
        profile.get(10, java.util.concurrent.TimeUnit.SECONDS);
        throw new AssertionError("a profile for a user never written");
      } catch (java.util.concurrent.ExecutionException e) {
        assertEquals(io.grpc.Status.Code.NOT_FOUND, TestGrpc.status(e).getCode(), e.toString());
      } catch (java.util.concurrent.TimeoutException e) {
        throw new AssertionError("no gRPC answer within 10 s while 20 silent clients hold the port");
      }
      long ms = (System.nanoTime() - start) / 1_000_000;
      assertTrue(ms < 2 * DEADLINE_MS + 2_000, "answered only after " + ms + " ms");
      // Each held connection was closed by the node, none answered: they sent no HTTP/2 to answer.
      for (Socket s : held) assertEquals(-1, s.getInputStream().read());
      // Half of the preface, then silence: closed at the deadline too, without an answer.
      try (Socket half = new Socket(node.base.getHost(), port)) {
        half.setSoTimeout(30_000);
        half.getOutputStream().write("PRI * HTTP/2.0\r\n".getBytes(StandardCharsets.US_ASCII));
        long sent = System.nanoTime();
        assertEquals(-1, half.getInputStream().read());
        long closedAfter = (System.nanoTime() - sent) / 1_000_000;
        assertTrue(closedAfter < DEADLINE_MS + 2_000, "closed after " + closedAfter + " ms");
      }
    } finally {
      for (Socket s : held) s.close();
      if (client != null) client.close();
    }
  }

  /** A header block dripped in on the gRPC port (a CONTINUATION frame every 400 ms): GOAWAY at the deadline from its first frame. */
  @Test
  void aHeaderBlockDrippingInOnTheGrpcPortIsRefusedAtTheDeadline() throws Exception {
    try (RawH2 slow = new RawH2(node.node.grpcPort(), true)) {
      assertTrue(slow.ping(java.time.Duration.ofSeconds(10)), "settings exchanged");
      long start = System.nanoTime();
      slow.send(RawH2.frame(RawH2.HEADERS, 0, 1, RawH2.grpcHeaders("GetProfile", null, Map.of())));
      Thread drip = new Thread(() -> {
        try {
          for (int i = 0; i < 50; i++) {
            Thread.sleep(400);
            slow.send(RawH2.frame(RawH2.CONTINUATION, 0, 1, new byte[] {(byte) 0x82}));
          }
        } catch (IOException | InterruptedException e) {
          // closed by the node
        }
      });
      drip.start();
      byte[] goAway = slow.awaitPayload(RawH2.GOAWAY, 0, java.time.Duration.ofMillis(DEADLINE_MS + 5_000));
      long ms = (System.nanoTime() - start) / 1_000_000;
      drip.interrupt();
      assertTrue(goAway != null, "a GOAWAY within " + (DEADLINE_MS + 5_000) + " ms");
      assertEquals("header block not complete within " + DEADLINE_MS + " ms", new String(goAway, 8, goAway.length - 8, StandardCharsets.US_ASCII));
      assertTrue(ms >= DEADLINE_MS - 100 && ms < DEADLINE_MS + 3_000, "refused after " + ms + " ms");
      assertTrue(slow.awaitClosed(java.time.Duration.ofSeconds(5)), "closed");
    }
  }

  @Test
  void anHttp1RequestOnTheGrpcPortIsA400NamingTheProtocol() throws Exception {
    try (Socket socket = new Socket(node.base.getHost(), node.node.grpcPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(get("/health").getBytes(StandardCharsets.US_ASCII));
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
      assertTrue(answer.contains("\"field\":\"protocol\""), answer);
    }
  }

  @Test
  void aStoppingNodeClosesIdleConnectionsAndAnswersTheRequestInFlight(@TempDir Path own) throws Exception {
    TestNode stopping = TestNode.start(own);
    String body = "[{\"eventId\":\"t1\",\"userId\":\"stopping\",\"type\":\"view\",\"timestamp\":\"2017-11-25T10:00:00Z\","
        + "\"itemId\":\"i1\",\"categoryId\":\"c1\"}]";
    Thread closer = new Thread(stopping::close, "node-close");
    try (Socket idle = new Socket(stopping.base.getHost(), stopping.base.getPort());
         Socket busy = new Socket(stopping.base.getHost(), stopping.base.getPort())) {
      idle.setSoTimeout(30_000);
      busy.setSoTimeout(30_000);
      idle.getOutputStream().write(get("/health").getBytes(StandardCharsets.US_ASCII));
      assertTrue(readResponse(idle.getInputStream()).startsWith("HTTP/1.1 200"));
      OutputStream out = busy.getOutputStream();
      out.write(("POST /v1/events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
          + "\r\n\r\n" + body.substring(0, 10)).getBytes(StandardCharsets.US_ASCII));
      out.flush();
      closer.start();
      assertEquals(-1, idle.getInputStream().read(), "an idle connection is closed when the node stops");
      out.write(body.substring(10).getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String answer = new String(busy.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
      assertTrue(answer.contains("Connection: close"), answer);
      assertTrue(answer.contains("\"accepted\":1"), answer);
    } finally {
      if (!closer.isAlive() && closer.getState() == Thread.State.NEW) stopping.close();
      closer.join(60_000);
    }
  }
}
