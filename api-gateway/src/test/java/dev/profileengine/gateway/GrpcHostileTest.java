package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.stream.KillSwitches;
import akka.stream.UniqueKillSwitch;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import com.fasterxml.jackson.databind.JsonNode;
import dev.profileengine.engine.profiles.InFlightLimit;
import dev.profileengine.gateway.wire.Json;
import dev.profileengine.grpc.Event;
import dev.profileengine.grpc.EventResult;
import dev.profileengine.grpc.GetProfileRequest;
import dev.profileengine.grpc.IngestReply;
import dev.profileengine.grpc.IngestRequest;
import dev.profileengine.grpc.ProfileServiceClient;
import dev.profileengine.grpc.SubscribeRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongPredicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gRPC port against hostile clients, on a real node with API keys: raw HTTP/2 frames declaring
 * a ~1.9 GiB message (unauthenticated, then with a key) answered while they still arrive, the
 * node's heap unchanged; the rate limit priced in events; the read and subscriber bounds shared
 * with HTTP.
 */
class GrpcHostileTest {
  private static final String INGEST_KEY = "hostile-ingest-5c8e2a9f1d7b4e6a3c0f8d2b9e5a7c1f";
  private static final String READ_KEY_A = "hostile-read-a-7d2f9b4e1a6c8d3f5b0e7a2c9d4f1b6e";
  private static final String READ_KEY_B = "hostile-read-b-3a9e6c1f8d2b5e7a4c9f1d6b3e8a2c5f";
  private static final String ADMIN_KEY = "hostile-admin-9f4c2e7a1b8d5f3c6e0a9b4d2f7c1e8a";
  private static final long MiB = 1024 * 1024;

  @TempDir
  static Path dataDir;
  static TestNode node;
  static ActorSystem<Void> system;
  static ProfileServiceClient ingest;
  static ProfileServiceClient readerA;
  static ProfileServiceClient readerB;

  @BeforeAll
  static void start() {
    node = TestNode.start(dataDir, Map.of(
        "profile.http.api-keys-env", INGEST_KEY + "=ingest," + READ_KEY_A + "=read," + READ_KEY_B + "=read," + ADMIN_KEY + "=admin",
        "profile.changes.max-subscribers", 1000,
        "profile.changes.max-subscribers-per-key", 600,
        "akka.http.server.max-connections", 4096,
        "profile.http.body-timeout", "3s"));
    system = node.node.system();
    ingest = TestGrpc.client(node, INGEST_KEY);
    readerA = TestGrpc.client(node, READ_KEY_A);
    readerB = TestGrpc.client(node, READ_KEY_B);
  }

  @AfterAll
  static void stop() {
    for (ProfileServiceClient c : new ProfileServiceClient[] {ingest, readerA, readerB}) if (c != null) c.close();
    if (node != null) node.close();
  }


  static Event event(String id, String user) {
    return Event.newBuilder().setEventId(id).setUserId(user).setType("view")
        .setTimestampMs(Instant.now().minusSeconds(30).toEpochMilli()).setCategoryId("c1").build();
  }

  static Status.Code code(Throwable t) {
    Throwable c = t instanceof ExecutionException || t instanceof java.util.concurrent.CompletionException ? t.getCause() : t;
    return c instanceof StatusRuntimeException s ? s.getStatus().getCode() : Status.Code.UNKNOWN;
  }

  /** What a raw call got back: the gRPC status (trailers-only headers) and the bytes the client had sent by then. */
  record RawAnswer(int httpStatus, String grpcStatus, String grpcMessage, long sentWhenAnswered) {}

  /**
   * A raw HTTP/2 (prior knowledge) call whose body's length prefix declares {@code declared} bytes
   * and then streams {@code streamed} bytes of zeros, generated as they are pulled (one shared chunk).
   */
  static RawAnswer raw(String rpc, String key, long declared, long streamed) throws Exception {
    AtomicLong sent = new AtomicLong();
    ByteString chunk = ByteString.fromArray(new byte[64 * 1024]);
    ByteString prefix = ByteString.fromArray(new byte[] {0, (byte) (declared >>> 24), (byte) (declared >>> 16), (byte) (declared >>> 8), (byte) declared});
    Source<ByteString, NotUsed> body = Source.single(prefix)
        .concat(Source.repeat(chunk).take(streamed / chunk.size()))
        .map(b -> {
          sent.addAndGet(b.size());
          return b;
        });
    AtomicLong answeredAfter = new AtomicLong(-1);
    RawGrpc.Answer answer = RawGrpc.call(system, node.node.grpcPort(), "/profileengine.v1.ProfileService/" + rpc, key,
        body, prefix.size() + streamed / chunk.size() * chunk.size(), () -> answeredAfter.set(sent.get()));
    return new RawAnswer(answer.httpStatus(), answer.grpcStatus(), answer.grpcMessage(), answeredAfter.get());
  }

  static long usedHeapAfterGc() {
    Runtime rt = Runtime.getRuntime();
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      best = Math.min(best, rt.totalMemory() - rt.freeMemory());
    }
    return best;
  }

  @Test
  void giantFramesAreRefusedWhileArrivingAndCostNoHeap() throws Exception {
    // Warm up the code paths (classes, pools) so the heap measured before is the steady one.
    RawAnswer empty = raw("IngestEvents", INGEST_KEY, 0, 0);
    assertEquals(200, empty.httpStatus(), "an empty batch: " + empty);
    assertEquals("0", empty.grpcStatus(), "an empty batch: " + empty);
    ingest.ingestEvents(IngestRequest.newBuilder().addEvents(event("warm-1", "hostile-warm")).build()).toCompletableFuture().get(30, TimeUnit.SECONDS);
    long before = usedHeapAfterGc();

    long declared = 0x7A000000L; // ~1.9 GiB
    long streamed = 400 * MiB;
    RawAnswer noKey = raw("IngestEvents", null, declared, streamed);
    assertEquals("16", noKey.grpcStatus(), "unauthenticated: " + noKey);
    assertTrue(noKey.sentWhenAnswered() < 10 * MiB, "answered while arriving, after " + noKey.sentWhenAnswered() + " bytes");

    RawAnswer noKeyStream = raw("StreamEvents", null, declared, streamed);
    assertEquals("16", noKeyStream.grpcStatus(), "unauthenticated stream: " + noKeyStream);
    assertTrue(noKeyStream.sentWhenAnswered() < 10 * MiB, "answered while arriving, after " + noKeyStream.sentWhenAnswered() + " bytes");

    RawAnswer wrongScope = raw("IngestEvents", READ_KEY_A, declared, streamed);
    assertEquals("7", wrongScope.grpcStatus(), "read key ingesting: " + wrongScope);
    assertTrue(wrongScope.sentWhenAnswered() < 10 * MiB, "answered while arriving, after " + wrongScope.sentWhenAnswered() + " bytes");

    RawAnswer oversized = raw("IngestEvents", INGEST_KEY, declared, streamed);
    assertEquals("8", oversized.grpcStatus(), "oversized with a key: " + oversized);
    assertTrue(oversized.grpcMessage().contains("PROFILE_GRPC_MAX_MESSAGE"), oversized.grpcMessage());
    assertTrue(oversized.sentWhenAnswered() < 10 * MiB, "answered while arriving, after " + oversized.sentWhenAnswered() + " bytes");

    // Just over the 4 MiB default, actually sent in full: refused as well.
    RawAnswer justOver = raw("IngestEvents", INGEST_KEY, 4 * MiB + 1, 4 * MiB + 64 * 1024);
    assertEquals("8", justOver.grpcStatus(), "4 MiB + 1: " + justOver);

    long after = usedHeapAfterGc();
    System.out.printf("hostile gRPC frames: heap used after GC %d MiB before, %d MiB after (sent before the answer: no key %d KiB, "
            + "no key stream %d KiB, wrong scope %d KiB, oversized %d KiB)%n", before / MiB, after / MiB,
        noKey.sentWhenAnswered() / 1024, noKeyStream.sentWhenAnswered() / 1024, wrongScope.sentWhenAnswered() / 1024, oversized.sentWhenAnswered() / 1024);
    assertTrue(after - before < 64 * MiB, "heap grew by " + (after - before) / MiB + " MiB");

    // The node still serves a normal call.
    IngestReply reply = ingest.ingestEvents(IngestRequest.newBuilder().addEvents(event("after-hostile-1", "hostile-after")).build())
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals(1, reply.getAccepted(), reply.toString());
  }

  @Test
  void anUnknownServiceIsUnimplementedLikeAnUnknownMethod() throws Exception {
    ByteString empty = ByteString.fromArray(new byte[5]); // one empty message
    RawGrpc.Answer method = RawGrpc.call(system, node.node.grpcPort(), "/profileengine.v1.ProfileService/NoSuchMethod", READ_KEY_A,
        Source.single(empty), empty.size());
    assertEquals("12", method.grpcStatus(), method.toString());
    for (String service : List.of("/no.such.Service/Get", "/grpc.health.v1.Health/Check", "/" + "s".repeat(300) + "/Get")) {
      RawGrpc.Answer answer = RawGrpc.call(system, node.node.grpcPort(), service, READ_KEY_A, Source.single(empty), empty.size());
      assertEquals(200, answer.httpStatus(), service + ": " + answer);
      assertEquals("12", answer.grpcStatus(), service + ": " + answer); // UNIMPLEMENTED, not a bare HTTP 404
      assertTrue(answer.grpcMessage().startsWith("unknown service "), answer.grpcMessage());
      assertTrue(answer.grpcMessage().length() < 300, answer.grpcMessage());
    }
  }

  @Test
  void aLongStreamOfSmallMessagesIsNotCapped() throws Exception {
    // The cap is per message: a stream carrying more than the 1 MiB HTTP body limit in all is served.
    String query = "q".repeat(300);
    List<EventResult> results = ingest.streamEvents(Source.range(0, 3999).map(i -> event("long-stream-" + i, "hostile-long-" + (i % 50))
            .toBuilder().setQuery(query).build()))
        .runWith(Sink.seq(), system).toCompletableFuture().get(120, TimeUnit.SECONDS);
    assertEquals(4000, results.size());
    assertTrue(results.stream().allMatch(r -> r.getStatus().equals("accepted")), results.stream().filter(r -> !r.getStatus().equals("accepted")).limit(3).toList().toString());
  }

  @Test
  void anOversizedStreamedMessageIsResourceExhausted() throws Exception {
    Event huge = event("x".repeat(5 * 1024 * 1024), "hostile-huge");
    List<EventResult> ok = new ArrayList<>();
    Throwable failure = null;
    try {
      ingest.streamEvents(Source.from(List.of(event("stream-ok-1", "hostile-stream"), huge)))
          .runWith(Sink.foreach(ok::add), system).toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      failure = e;
    }
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, failure == null ? null : code(failure), "failure: " + failure);
    // A unary call just over the limit, through the generated client: the same status.
    ExecutionException unary = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () ->
        ingest.ingestEvents(IngestRequest.newBuilder().addEvents(huge).build()).toCompletableFuture().get(60, TimeUnit.SECONDS));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, code(unary));
  }

  @Test
  void subscriptionsNameAtMostAThousandUsers() throws Exception {
    SubscribeRequest.Builder tooMany = SubscribeRequest.newBuilder();
    IntStream.range(0, 1001).forEach(i -> tooMany.addUserIds("u" + i));
    ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () ->
        readerA.subscribeProfileChanges(tooMany.build()).runWith(Sink.ignore(), system).toCompletableFuture().get(30, TimeUnit.SECONDS));
    assertEquals(Status.Code.INVALID_ARGUMENT, code(e));
    assertTrue(((StatusRuntimeException) e.getCause()).getStatus().getDescription().startsWith("user_ids"), e.getCause().getMessage());
  }

  /** A client that drops its connection mid-stream ends its call quietly: no ERROR lines (a client could flood the log). */
  @Test
  void aClientDroppingItsConnectionMidStreamLeavesNoErrorInTheLog() throws Exception {
    ProfileServiceClient dropping = TestGrpc.client(node, INGEST_KEY);
    try (LogLines log = LogLines.attach(dev.profileengine.gateway.grpc.GrpcErrors.class)) {
      // The stream stays open after its first event; its first answer shows the call is under way.
      EventResult first = dropping.streamEvents(Source.single(event("dropped-1", "hostile-dropping")).concat(Source.never()))
          .runWith(Sink.head(), system).toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertEquals("accepted", first.getStatus(), first.toString());
      dropping.close().toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertTrue(log.awaitLine("the client closed the connection", Duration.ofSeconds(30)), "the call ended: " + log.lines());
      for (var line : log.lines())
        assertTrue(line.getLevel() != ch.qos.logback.classic.Level.ERROR, line.getLoggerName() + ": " + line.getFormattedMessage());
    }
  }

  /** A call to {@code rpc} whose body holds {@code copies} copies of {@code message}'s frame, sent in one piece or frame by frame. */
  static RawGrpc.Answer repeated(String rpc, String key, com.google.protobuf.MessageLite message, int copies, boolean chunked) throws Exception {
    ByteString frame = ByteString.fromArray(RawH2.grpcFrame(message.toByteArray()));
    List<ByteString> frames = java.util.Collections.nCopies(copies, frame);
    Source<ByteString, NotUsed> body = chunked ? Source.from(frames) : Source.single(frames.stream().reduce(ByteString.emptyByteString(), ByteString::concat));
    return RawGrpc.call(system, node.node.grpcPort(), "/profileengine.v1.ProfileService/" + rpc, key, body, (long) frame.size() * copies);
  }

  /** An RPC taking one request message, sent several: refused before it runs, nothing stored, no ERROR line. */
  @Test
  void aOneMessageRpcCarryingMoreMessagesIsRefused() throws Exception {
    IngestRequest batch = IngestRequest.newBuilder().addEvents(event("multi-1", "hostile-multi")).build();
    try (LogLines log = LogLines.attach(null)) {
      List<RawGrpc.Answer> refused = List.of(
          repeated("IngestEvents", INGEST_KEY, batch, 3, false),
          repeated("IngestEvents", INGEST_KEY, batch, 3, true),
          repeated("GetProfile", READ_KEY_A, GetProfileRequest.newBuilder().setUserId("hostile-multi").build(), 2, false),
          repeated("Identify", INGEST_KEY, dev.profileengine.grpc.IdentifyRequest.newBuilder().setUserId("hostile-multi-id")
              .setAnonymousId("hostile-multi-anon").build(), 2, true),
          repeated("SubscribeProfileChanges", READ_KEY_A, SubscribeRequest.newBuilder().setFromLatest(true).build(), 2, false));
      for (RawGrpc.Answer a : refused) {
        assertEquals("3", a.grpcStatus(), a.toString());
        assertTrue(a.grpcMessage().startsWith("message: this RPC takes one request message"), a.toString());
      }
      assertEquals(404, node.get("/v1/profiles/hostile-multi", "Bearer " + READ_KEY_A).statusCode(), "nothing of the refused batch stored");
      assertEquals(404, node.get("/v1/profiles/hostile-multi-id", "Bearer " + READ_KEY_A).statusCode(), "no identity linked");
      // One message, sent as a stream of chunks: served.
      RawGrpc.Answer one = repeated("IngestEvents", INGEST_KEY, batch, 1, true);
      assertEquals("0", one.grpcStatus(), one.toString());
      assertEquals(200, node.get("/v1/profiles/hostile-multi", "Bearer " + READ_KEY_A).statusCode());
      for (var line : log.lines())
        assertTrue(line.getLevel() != ch.qos.logback.classic.Level.ERROR, line.getLoggerName() + ": " + line.getFormattedMessage());
    }
  }

  /** A one-message call whose message never completes is ended at the body timeout, not held in memory for ever. */
  @Test
  void aOneMessageCallWhoseMessageNeverEndsIsAnsweredAtTheBodyTimeout() throws Exception {
    try (RawH2 call = new RawH2(node.node.grpcPort(), true)) {
      call.send(RawH2.frame(RawH2.HEADERS, RawH2.END_HEADERS, 1, RawH2.grpcHeaders("GetProfile", READ_KEY_A, Map.of())));
      byte[] part = java.util.Arrays.copyOf(RawH2.grpcFrame(new byte[100]), 20); // a 100-byte message, 15 bytes of it sent
      call.send(RawH2.frame(RawH2.DATA, 0, 1, part));
      long start = System.nanoTime();
      // The guard answers DEADLINE_EXCEEDED (GrpcGuardTest); the request body it stopped reading makes
      // Akka end the stream with RST_STREAM, which a client sees as the call's end all the same.
      assertTrue(call.awaitFrame(RawH2.RST_STREAM, 1, Duration.ofSeconds(15)), "the call ended within 15 s");
      assertTrue(System.nanoTime() - start >= Duration.ofSeconds(2).toNanos(), "not before the timeout of 3 s");
    }
  }

  /** Calls whose TCP connection is reset (RST) mid-call, streaming and unary: CANCELLED at debug, no ERROR line. */
  @Test
  void aClientResettingItsConnectionMidCallLeavesNoErrorInTheLog() throws Exception {
    int port = node.node.grpcPort();
    try (LogLines log = LogLines.attach(dev.profileengine.gateway.grpc.GrpcErrors.class)) {
      RawH2 streaming = new RawH2(port, true);
      streaming.send(RawH2.frame(RawH2.HEADERS, RawH2.END_HEADERS, 1, RawH2.grpcHeaders("StreamEvents", INGEST_KEY, Map.of())));
      streaming.send(RawH2.frame(RawH2.DATA, 0, 1, RawH2.grpcFrame(event("reset-1", "hostile-reset").toByteArray())));
      assertTrue(streaming.awaitData(1, Duration.ofSeconds(30)), "the first event acknowledged");
      streaming.reset();

      RawH2 unary = new RawH2(port, true);
      unary.send(RawH2.frame(RawH2.HEADERS, RawH2.END_HEADERS, 1, RawH2.grpcHeaders("GetProfile", READ_KEY_A, Map.of())));
      assertTrue(unary.ping(Duration.ofSeconds(30)), "the headers were read");
      unary.reset();

      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (closedLines(log) < 2 && System.nanoTime() < deadline) Thread.sleep(10);
      assertEquals(2, closedLines(log), "both calls ended as the client's doing: " + log.lines());
      for (var line : log.lines())
        assertTrue(line.getLevel() != ch.qos.logback.classic.Level.ERROR, line.getLoggerName() + ": " + line.getFormattedMessage());
    }
  }

  private static long closedLines(LogLines log) {
    return log.lines().stream().filter(l -> l.getFormattedMessage().contains("the client closed the connection")).count();
  }

  /** A connection ended inside a frame, or headers past the limits: the connection goes, no ERROR line, the node serves on. */
  @Test
  void malformedHttp2FromAClientLeavesNoErrorInTheLog() throws Exception {
    int port = node.node.grpcPort();
    try (LogLines log = LogLines.attach(dev.profileengine.gateway.logging.PeerFaultFilter.class)) {
      try (RawH2 truncated = new RawH2(port, true)) {
        truncated.send(new byte[] {0, 0}); // the first 2 bytes of a frame header, then FIN
        truncated.socket.shutdownOutput();
        assertTrue(truncated.awaitClosed(Duration.ofSeconds(30)), "connection closed");
      }
      assertTrue(log.awaitLine("truncated data in ByteStringParser", Duration.ofSeconds(30)), "logged at debug: " + log.lines());
      Map<String, Map<String, String>> headers = Map.of(
          "HTTP header value exceeds", Map.of("x-big", "a".repeat(15_000)),
          "HTTP header name exceeds", Map.of("x".repeat(9_000), "a"));
      for (var e : headers.entrySet()) {
        try (RawH2 big = new RawH2(port, true)) {
          big.send(RawH2.frame(RawH2.HEADERS, RawH2.END_HEADERS | RawH2.END_STREAM, 1, RawH2.grpcHeaders("GetProfile", READ_KEY_A, e.getValue())));
          assertTrue(big.awaitClosed(Duration.ofSeconds(30)), e.getKey() + ": connection closed");
        }
        assertTrue(log.awaitLine(e.getKey(), Duration.ofSeconds(30)), e.getKey() + " logged at debug: " + log.lines());
      }
      for (var line : log.lines())
        assertTrue(line.getLevel() != ch.qos.logback.classic.Level.ERROR, line.getLoggerName() + ": " + line.getFormattedMessage());
      assertEquals(200, node.get("/health").statusCode());
      IngestReply reply = ingest.ingestEvents(IngestRequest.newBuilder().addEvents(event("after-malformed-1", "hostile-malformed")).build())
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertEquals(1, reply.getAccepted(), reply.toString());
    }
  }

  /**
   * Akka HTTP 10.5 gathers a header block's CONTINUATION frames with no bound and decodes it with
   * no bound on its fields: an endless block, or a few bytes referring to a 4 KiB table entry again
   * and again, is refused with a GOAWAY naming the limit, and the node serves on.
   */
  @Test
  void headerBlocksPastTheLimitsAreRefusedWithAGoAway() throws Exception {
    int port = node.node.grpcPort();
    try (RawH2 flood = new RawH2(port, true)) {
      assertTrue(flood.ping(Duration.ofSeconds(10)), "settings exchanged"); // nothing from this client but the block after it
      flood.send(RawH2.frame(RawH2.HEADERS, 0, 1, RawH2.grpcHeaders("GetProfile", READ_KEY_A, Map.of())));
      AtomicLong sent = new AtomicLong();
      CompletableFuture<Boolean> cut = CompletableFuture.supplyAsync(() -> {
        byte[] fields = new byte[16_384];
        java.util.Arrays.fill(fields, (byte) 0x82); // valid HPACK: ":method: GET" again and again
        byte[] continuation = RawH2.frame(RawH2.CONTINUATION, 0, 1, fields);
        try {
          while (sent.get() < 256 * MiB) {
            flood.send(continuation);
            sent.addAndGet(continuation.length);
          }
          return false;
        } catch (java.io.IOException e) {
          return true; // the node closed the connection
        }
      });
      byte[] goAway = flood.awaitPayload(RawH2.GOAWAY, 0, Duration.ofSeconds(30));
      assertGoAway(goAway, "header block over 65536 bytes", "after " + sent.get() + " bytes of CONTINUATION frames");
      assertTrue(cut.get(30, TimeUnit.SECONDS), "the connection closed, " + sent.get() + " bytes sent");
    }
    try (RawH2 bomb = new RawH2(port, true)) {
      java.io.ByteArrayOutputStream block = new java.io.ByteArrayOutputStream();
      block.writeBytes(RawH2.grpcHeaders("GetProfile", READ_KEY_A, Map.of()));
      block.writeBytes(new byte[] {0x40, 1, 'x', 0x7f, (byte) 0xa1, 0x1e}); // into the dynamic table (4 KiB): x, a 4,000-byte value
      block.writeBytes("a".repeat(4_000).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      for (int i = 0; i < 2_000; i++) block.write(0x80 | 62); // that entry again: 8 MB of headers from 2 KB
      bomb.send(RawH2.frame(RawH2.HEADERS, RawH2.END_HEADERS | RawH2.END_STREAM, 1, block.toByteArray()));
      assertGoAway(bomb.awaitPayload(RawH2.GOAWAY, 0, Duration.ofSeconds(30)), "header block of more than 64 fields", "a block of 2,008 fields");
    }
    String refused = java.util.Arrays.stream(node.get("/metrics").body().split("\n"))
        .filter(l -> l.startsWith("profile_grpc_header_blocks_refused")).findFirst().orElse("none");
    assertTrue(refused.matches(".* [2-9](\\.0)?$"), refused);
    IngestReply reply = ingest.ingestEvents(IngestRequest.newBuilder().addEvents(event("after-header-blocks-1", "hostile-blocks")).build())
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals(1, reply.getAccepted(), reply.toString());
  }

  private static void assertGoAway(byte[] payload, String reason, String what) {
    assertTrue(payload != null, "a GOAWAY " + what);
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(payload);
    b.getInt(); // the last stream: none
    String debug = new String(payload, 8, payload.length - 8, java.nio.charset.StandardCharsets.US_ASCII);
    assertEquals(0xb, b.getInt(), "ENHANCE_YOUR_CALM " + what + ": " + debug);
    assertEquals(reason, debug, what);
  }

  /** An event with both timestamp_ms and timestamp_iso is rejected naming the field, not stored with one of them. */
  @Test
  void anEventWithTwoTimestampsIsRejected() throws Exception {
    Event both = event("two-timestamps-1", "hostile-two-timestamps").toBuilder().setTimestampIso("2026-01-01T00:00:00Z").build();
    IngestReply reply = ingest.ingestEvents(IngestRequest.newBuilder().addEvents(both).build()).toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals(1, reply.getRejected(), reply.toString());
    assertEquals("timestamp", reply.getResults(0).getField(), reply.toString());
    assertEquals(404, node.get("/v1/profiles/hostile-two-timestamps", "Bearer " + READ_KEY_A).statusCode(), "nothing stored");
  }

  @Test
  void getProfileTakesTheReadBoundLikeHttp() throws Exception {
    // A profile the journal holds and no entity hosts is read by asking its entity, under the read
    // bound (a never-written id is answered from the known-id filter, a hosted one from its state):
    // one forgotten, its entity stopped.
    IngestReply stored = ingest.ingestEvents(IngestRequest.newBuilder().addEvents(event("cold-1", "hostile-cold-user")).build())
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals(1, stored.getAccepted(), stored.toString());
    assertEquals(200, node.send("DELETE", "/v1/profiles/hostile-cold-user", "", "Bearer " + ADMIN_KEY).statusCode());
    dev.profileengine.engine.HostedProfiles hosted = dev.profileengine.engine.HostedProfiles.get(system);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (hosted.get("hostile-cold-user") != null && System.nanoTime() < deadline) Thread.sleep(10);
    assertEquals(null, hosted.get("hostile-cold-user"), "the forgotten profile's entity stopped");
    InFlightLimit reads = node.node.readLimit();
    long taken = reads.limit();
    assertTrue(reads.tryAcquire(taken), "take the whole read bound");
    try {
      ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () ->
          readerA.getProfile(GetProfileRequest.newBuilder().setUserId("hostile-cold-user").build()).toCompletableFuture().get(30, TimeUnit.SECONDS));
      assertEquals(Status.Code.UNAVAILABLE, code(e), e.toString());
      HttpResponse<String> http = node.get("/v1/profiles/hostile-cold-user", "Bearer " + READ_KEY_A);
      assertEquals(503, http.statusCode(), http.body());
      assertTrue(http.headers().firstValue("Retry-After").isPresent());
    } finally {
      reads.release(taken, 0, true);
    }
    ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () ->
        readerA.getProfile(GetProfileRequest.newBuilder().setUserId("hostile-cold-user").build()).toCompletableFuture().get(30, TimeUnit.SECONDS));
    assertEquals(Status.Code.NOT_FOUND, code(e), e.toString());
  }

  @Test
  void streamedEventsPassAdmissionControl() throws Exception {
    InFlightLimit events = node.node.eventLimit();
    long taken = Math.max(1, events.limit());
    events.acquire(taken);
    try {
      List<EventResult> results = ingest.streamEvents(Source.from(List.of(event("overload-1", "hostile-overload"), event("overload-2", "hostile-overload"))))
          .runWith(Sink.seq(), system).toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertEquals(2, results.size());
      for (EventResult r : results) {
        assertEquals("unconfirmed", r.getStatus(), r.toString());
        assertTrue(r.getReason().startsWith("node overloaded"), r.getReason());
      }
      assertTrue(node.get("/metrics").body().contains("profile_admission_refused_total{kind=\"events\"}"), "refusal counted");
    } finally {
      events.release(taken, 0, true);
    }
    List<EventResult> results = ingest.streamEvents(Source.from(List.of(event("overload-1", "hostile-overload"))))
        .runWith(Sink.seq(), system).toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals("accepted", results.get(0).getStatus(), results.toString());
  }

  /** An SSE subscription on its own HTTP/1.1 connection: the status, and the body to close. */
  record Sse(int status, String retryAfter, String body, InputStream stream) {}

  static CompletableFuture<Sse> sse(HttpClient client, String key) {
    java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(node.base.resolve("/v1/changes"))
        .header("Accept", "text/event-stream").header("Authorization", "Bearer " + key).timeout(Duration.ofSeconds(60)).build();
    return client.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream()).thenApply(r -> {
      if (r.statusCode() == 200) return new Sse(200, null, null, r.body());
      try (InputStream in = r.body()) {
        return new Sse(r.statusCode(), r.headers().firstValue("Retry-After").orElse(null), new String(in.readAllBytes()), null);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
  }

  static double subscribersMetric() throws Exception {
    for (String line : node.get("/metrics").body().split("\n")) {
      if (line.startsWith("profile_change_subscribers ")) return Double.parseDouble(line.substring(line.indexOf(' ') + 1).strip());
    }
    throw new AssertionError("no profile_change_subscribers in /metrics");
  }

  static void awaitSubscribers(LongPredicate condition, String what) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    double now;
    while (!condition.test((long) (now = subscribersMetric()))) {
      if (System.nanoTime() > deadline) fail(what + ": profile_change_subscribers is " + now);
      Thread.sleep(50); // the polling interval of a condition with a deadline
    }
  }

  @Test
  void subscribersAreCappedPerNodeAndPerKeyAndReleased() throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    List<Sse> open = new ArrayList<>();
    List<UniqueKillSwitch> grpcStreams = new ArrayList<>();
    try {
      // Key A: its 600, then refused by the per-key cap.
      List<CompletableFuture<Sse>> a = IntStream.range(0, 600).mapToObj(i -> sse(client, READ_KEY_A)).toList();
      for (CompletableFuture<Sse> f : a) open.add(f.get(60, TimeUnit.SECONDS));
      assertTrue(open.stream().allMatch(s -> s.status() == 200), "all of key A's 600 served");
      Sse overKey = sse(client, READ_KEY_A).get(60, TimeUnit.SECONDS);
      assertEquals(429, overKey.status(), overKey.body());
      assertEquals("max-subscribers-per-key", Json.MAPPER.readTree(overKey.body()).get("field").asText(), overKey.body());
      assertTrue(overKey.retryAfter() != null, "Retry-After");

      // Key B: 300 over SSE and 100 over gRPC make the node's 1,000.
      List<CompletableFuture<Sse>> b = IntStream.range(0, 300).mapToObj(i -> sse(client, READ_KEY_B)).toList();
      for (CompletableFuture<Sse> f : b) open.add(f.get(60, TimeUnit.SECONDS));
      assertTrue(open.stream().allMatch(s -> s.status() == 200), "all 900 SSE subscribers served");
      for (int i = 0; i < 100; i++) {
        grpcStreams.add(readerB.subscribeProfileChanges(SubscribeRequest.newBuilder().setFromOffset(0).build())
            .viaMat(KillSwitches.single(), Keep.right()).to(Sink.ignore()).run(system));
      }
      awaitSubscribers(n -> n == 1000, "1,000 subscribers served");

      Sse overNode = sse(client, READ_KEY_B).get(60, TimeUnit.SECONDS);
      assertEquals(429, overNode.status(), overNode.body());
      JsonNode error = Json.MAPPER.readTree(overNode.body());
      assertEquals("max-subscribers", error.get("field").asText(), overNode.body());
      ExecutionException grpcOver = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () ->
          readerB.subscribeProfileChanges(SubscribeRequest.newBuilder().setFromOffset(0).build())
              .runWith(Sink.ignore(), system).toCompletableFuture().get(30, TimeUnit.SECONDS));
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, code(grpcOver));

      // Closed by the clients (SSE connections closed, gRPC calls cancelled): the places come back.
      for (Sse s : open) s.stream().close();
      open.clear();
      grpcStreams.forEach(UniqueKillSwitch::shutdown);
      grpcStreams.clear();
      awaitSubscribers(n -> n == 0, "every subscriber released");
      Sse again = sse(client, READ_KEY_A).get(60, TimeUnit.SECONDS);
      assertEquals(200, again.status(), again.body());
      again.stream().close();
      awaitSubscribers(n -> n == 0, "released again");
    } finally {
      for (Sse s : open) if (s.stream() != null) s.stream().close();
      grpcStreams.forEach(UniqueKillSwitch::shutdown);
    }
  }

  /**
   * gRPC subscribers that stop reading (their HTTP/2 window full) are closed too_slow after max-stall
   * and give their places back, though the close itself can never reach them.
   */
  @Test
  void stalledGrpcSubscribersGiveTheirPlacesBack(@TempDir Path otherDir) throws Exception {
    try (TestNode stalling = TestNode.start(otherDir, Map.of(
        "profile.changes.max-stall", "2s",
        "profile.changes.subscriber-buffer", 10))) {
      // 3,000 changes, far more than the 64 KiB an HTTP/2 stream may send unacknowledged.
      String[] users = IntStream.range(0, 200).mapToObj(i -> "stall-user-" + i).toArray(String[]::new);
      for (int b = 0; b < 3; b++) {
        HttpResponse<String> stored = stalling.send("POST", "/v1/events", TestEvents.recent("stall-" + b + "-", 1000, "view", users));
        assertEquals(200, stored.statusCode(), stored.body());
        assertTrue(stored.body().contains("\"accepted\":1000"), stored.body());
      }
      List<RawH2> subscribers = new ArrayList<>();
      try {
        byte[] request = RawH2.grpcFrame(SubscribeRequest.newBuilder().setFromOffset(0).build().toByteArray());
        for (int i = 0; i < 3; i++) {
          // Never reads nor sends WINDOW_UPDATE: the node can write 64 KiB, then the stream stalls.
          RawH2 h2 = new RawH2(stalling.node.grpcPort(), true);
          subscribers.add(h2);
          h2.send(RawH2.frame(RawH2.HEADERS, RawH2.END_HEADERS, 1, RawH2.grpcHeaders("SubscribeProfileChanges", null, Map.of())));
          h2.send(RawH2.frame(RawH2.DATA, RawH2.END_STREAM, 1, request));
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        double open = -1;
        boolean seenAll = false;
        while (System.nanoTime() < deadline) {
          open = metric(stalling, "profile_change_subscribers");
          seenAll |= open == 3;
          if (seenAll && open == 0) break;
          Thread.sleep(50); // the polling interval of a condition with a deadline
        }
        assertTrue(seenAll, "3 subscribers served");
        assertEquals(0, open, "places given back after max-stall: " + java.util.Arrays.stream(stalling.get("/metrics").body().split("\n"))
            .filter(l -> l.startsWith("profile_change")).toList());
        assertEquals(3, metric(stalling, "profile_change_streams_closed_total{reason=\"too_slow\"}"), "each close counted");
      } finally {
        for (RawH2 h2 : subscribers) h2.close();
      }
    }
  }

  static double metric(TestNode on, String name) throws Exception {
    for (String line : on.get("/metrics").body().split("\n")) {
      if (line.startsWith(name + " ")) return Double.parseDouble(line.substring(line.indexOf(' ') + 1).strip());
    }
    return 0;
  }

  @Test
  void theRateLimitCountsEventsOverHttpAndGrpc(@TempDir Path otherDir) throws Exception {
    String httpKey = "rate-http-8e1c4a7f2d9b6e3a5c8f1d4b7e2a9c6f";
    String streamKey = "rate-stream-2f7b9d4a1e6c3f8b5d2a7e9c4f1b6d3a";
    try (TestNode limited = TestNode.start(otherDir, Map.of(
        "profile.http.api-keys-env", httpKey + "=ingest+read," + streamKey + "=ingest",
        "profile.http.rate-limit.requests-per-second", 10,
        "profile.http.rate-limit.burst", 100))) {
      // A gRPC batch refused as too large costs no tokens: the key's whole burst is still there for HTTP below.
      ProfileServiceClient oversized = TestGrpc.client(limited, httpKey);
      try {
        IngestRequest.Builder tooMany = IngestRequest.newBuilder();
        IntStream.range(0, 1001).forEach(i -> tooMany.addEvents(Event.newBuilder().setEventId("too-many-" + i)));
        ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () ->
            oversized.ingestEvents(tooMany.build()).toCompletableFuture().get(30, TimeUnit.SECONDS));
        assertEquals(Status.Code.INVALID_ARGUMENT, code(refused), refused.toString());
      } finally {
        oversized.close();
      }
      // HTTP: a batch of 100 events spends the key's burst of 100; the next batch (needing 10 s of refill) is a 429.
      String batch = IntStream.range(0, 100).mapToObj(i -> "{\"eventId\":\"rate-" + i + "\",\"userId\":\"rate-user\",\"type\":\"view\",\"timestamp\":"
          + Instant.now().minusSeconds(30).toEpochMilli() + "}").collect(java.util.stream.Collectors.joining(",", "[", "]"));
      HttpResponse<String> first = limited.send("POST", "/v1/events", batch, "Bearer " + httpKey);
      assertEquals(200, first.statusCode(), first.body());
      HttpResponse<String> second = limited.send("POST", "/v1/events", batch.replace("rate-", "rate2-"), "Bearer " + httpKey);
      assertEquals(429, second.statusCode(), second.body());
      assertTrue(second.headers().firstValue("Retry-After").isPresent());

      // gRPC StreamEvents: 150 events at 10 events/s with a burst of 100 take at least 5 s, every one acknowledged.
      ProfileServiceClient client = TestGrpc.client(limited, streamKey);
      try {
        long start = System.nanoTime();
        List<EventResult> results = client.streamEvents(Source.range(0, 149).map(i -> event("rate-stream-" + i, "rate-stream-user-" + (i % 7))))
            .runWith(Sink.seq(), limited.node.system()).toCompletableFuture().get(120, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("rate limit 10 events/s, burst 100: 150 streamed events acknowledged in %.2f s%n", seconds);
        assertEquals(150, results.size());
        assertTrue(results.stream().allMatch(r -> r.getStatus().equals("accepted")), results.toString());
        assertTrue(seconds >= 3.5, "throttled per event: 150 events in " + seconds + " s");
      } finally {
        client.close();
      }
    }
  }
}
