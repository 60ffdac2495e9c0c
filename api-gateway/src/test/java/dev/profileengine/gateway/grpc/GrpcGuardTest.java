package dev.profileengine.gateway.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.headers.RawHeader;
import com.typesafe.config.ConfigFactory;
import dev.profileengine.gateway.auth.AccessControl;
import dev.profileengine.gateway.auth.ApiKeys;
import dev.profileengine.gateway.auth.RateLimiter;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The guard hands the service the caller it authenticated, and only that: a client cannot name one. */
class GrpcGuardTest {
  static final String READ_KEY = "gq4Hk7Nq2Xz9Lc1Vb6Mr3Tp8Jf5Gd0Syz";
  static ActorSystem<Void> system;

  @BeforeAll
  static void start() {
    system = ActorSystem.create(Behaviors.empty(), "grpc-guard-test",
        ConfigFactory.parseString("akka.actor.provider = local").withFallback(ConfigFactory.defaultReference()));
  }

  @AfterAll
  static void stop() {
    system.terminate();
  }

  @Test
  void theCallerHeaderIsTheGuardsAlone() throws Exception {
    AccessControl access = new AccessControl(ApiKeys.parse(READ_KEY + "=read"), new RateLimiter(100, 100), reason -> {});
    AtomicReference<HttpRequest> passed = new AtomicReference<>();
    GrpcGuard guard = new GrpcGuard(request -> {
      passed.set(request);
      return CompletableFuture.completedFuture(HttpResponse.create());
    }, access, 1024, java.time.Duration.ofSeconds(20), system);
    String expected = ApiKeys.parse(READ_KEY + "=read").lookup(READ_KEY).orElseThrow().id() + ";read";

    // A read key claiming to be an admin of another id: the guard's own caller replaces the claim.
    guard.apply(HttpRequest.POST("/" + GrpcGuard.SERVICE + "/GetProfile")
        .addHeader(RawHeader.create("authorization", "Bearer " + READ_KEY))
        .addHeader(RawHeader.create(GrpcCaller.HEADER, "key-00000000;admin"))).toCompletableFuture().get(10, TimeUnit.SECONDS);
    List<String> callers = java.util.stream.StreamSupport.stream(passed.get().getHeaders().spliterator(), false).filter(h -> h.is(GrpcCaller.HEADER)).map(h -> h.value()).toList();
    assertEquals(List.of(expected), callers);

    // A path the guard does not authorize (server reflection): no caller at all, the claim dropped.
    passed.set(null);
    guard.apply(HttpRequest.POST("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo")
        .addHeader(RawHeader.create(GrpcCaller.HEADER, "key-00000000;admin"))).toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertTrue(java.util.stream.StreamSupport.stream(passed.get().getHeaders().spliterator(), false).noneMatch(h -> h.is(GrpcCaller.HEADER)), "a client's claim never passes");
  }

  /** A one-message RPC whose message never ends: answered DEADLINE_EXCEEDED at the body timeout, the service never called. */
  @Test
  void aMessageThatNeverEndsIsAnsweredAtTheBodyTimeout() throws Exception {
    AccessControl access = new AccessControl(ApiKeys.parse(READ_KEY + "=read"), new RateLimiter(100, 100), reason -> {});
    AtomicReference<HttpRequest> passed = new AtomicReference<>();
    GrpcGuard guard = new GrpcGuard(request -> {
      passed.set(request);
      return CompletableFuture.completedFuture(HttpResponse.create());
    }, access, 1024, java.time.Duration.ofSeconds(1), system);
    akka.stream.javadsl.Source<akka.util.ByteString, ?> never = akka.stream.javadsl.Source.single(akka.util.ByteString.fromArray(new byte[] {0, 0, 0, 0, 100, 1, 2}))
        .concat(akka.stream.javadsl.Source.maybe());
    HttpResponse r = guard.apply(HttpRequest.POST("/" + GrpcGuard.SERVICE + "/GetProfile")
        .addHeader(RawHeader.create("authorization", "Bearer " + READ_KEY))
        .withEntity(akka.http.javadsl.model.HttpEntities.createChunked(akka.http.javadsl.model.ContentTypes.APPLICATION_OCTET_STREAM, never)))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals(java.util.Optional.of("4"), r.getHeader("grpc-status").map(h -> h.value()), r.toString());
    assertEquals(null, passed.get());
  }

  /** On a streaming call too: a message begun and not finished within the timeout fails DEADLINE_EXCEEDED. */
  @Test
  void aStreamedMessageThatStopsHalfwayFailsAtTheTimeout() throws Exception {
    byte[] whole = {0, 0, 0, 0, 3, 1, 2, 3};
    akka.stream.javadsl.Source<akka.util.ByteString, ?> halfway = akka.stream.javadsl.Source.from(List.of(
            akka.util.ByteString.fromArray(whole), akka.util.ByteString.fromArray(new byte[] {0, 0, 0, 0, 9, 1})))
        .concat(akka.stream.javadsl.Source.maybe());
    java.util.concurrent.CompletionStage<akka.util.ByteString> read = halfway.via(GrpcGuard.limit(1024, false, java.time.Duration.ofSeconds(1)))
        .runFold(akka.util.ByteString.emptyByteString(), akka.util.ByteString::concat, system);
    Exception failed = org.junit.jupiter.api.Assertions.assertThrows(Exception.class, () -> read.toCompletableFuture().get(10, TimeUnit.SECONDS));
    assertEquals(io.grpc.Status.Code.DEADLINE_EXCEEDED, ((akka.grpc.GrpcServiceException) failed.getCause()).getStatus().getCode());
  }

  /** Messages arriving steadily, each split across chunks, for longer than the timeout: each is timed on its own, none refused. */
  @Test
  void aSteadyStreamOfSplitMessagesIsNotRefused() throws Exception {
    java.io.ByteArrayOutputStream frames = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < 10; i++) frames.write(new byte[] {0, 0, 0, 0, 10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
    akka.util.ByteString all = akka.util.ByteString.fromArray(frames.toByteArray());
    List<akka.util.ByteString> chunks = new java.util.ArrayList<>();
    for (int at = 0; at < all.size(); at += 7) chunks.add(all.slice(at, Math.min(all.size(), at + 7)));
    akka.util.ByteString read = akka.stream.javadsl.Source.from(chunks)
        .throttle(1, java.time.Duration.ofMillis(100)) // 22 chunks: about 2.2 s, twice the timeout
        .via(GrpcGuard.limit(1024, false, java.time.Duration.ofSeconds(1)))
        .runFold(akka.util.ByteString.emptyByteString(), akka.util.ByteString::concat, system)
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals(all, read);
  }
}
