package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import com.google.protobuf.DoubleValue;
import com.google.protobuf.Int64Value;
import dev.profileengine.grpc.Event;
import dev.profileengine.grpc.EventResult;
import dev.profileengine.grpc.GetProfileRequest;
import dev.profileengine.grpc.IngestReply;
import dev.profileengine.grpc.IngestRequest;
import dev.profileengine.grpc.Profile;
import dev.profileengine.grpc.ProfileChange;
import dev.profileengine.grpc.ProfileServiceClient;
import dev.profileengine.grpc.SubscribeRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gRPC API with the generated Akka gRPC client over real HTTP/2: ingest, stream, read, subscribe, keys. */
class GrpcApiTest {
  @TempDir
  static Path dataDir;
  static TestNode node;
  static ProfileServiceClient writer;
  static ProfileServiceClient reader;
  static ProfileServiceClient anonymous;

  @BeforeAll
  static void start() {
    node = TestNode.start(dataDir, Map.of("profile.http.api-keys-env", ApiKeysTest.WRITER_KEY + "=ingest+read," + ApiKeysTest.READER_KEY + "=read"));
    writer = TestGrpc.client(node, ApiKeysTest.WRITER_KEY);
    reader = TestGrpc.client(node, ApiKeysTest.READER_KEY);
    anonymous = TestGrpc.client(node, null);
  }


  @AfterAll
  static void stop() {
    writer.close();
    reader.close();
    anonymous.close();
    node.close();
  }

  private static Event event(String id, String user, String type) {
    return Event.newBuilder().setEventId(id).setUserId(user).setType(type)
        .setTimestampMs(Instant.now().minusSeconds(30).toEpochMilli()).setCategoryId("c1").build();
  }

  private static Status.Code code(Throwable t) {
    Throwable c = t instanceof ExecutionException ? t.getCause() : t;
    return ((StatusRuntimeException) c).getStatus().getCode();
  }

  @Test
  void ingestReportsPerEventStatusAndTheProfileIsReadable() throws Exception {
    IngestReply reply = writer.ingestEvents(IngestRequest.newBuilder()
        .addEvents(event("g1", "grpc-u1", "view"))
        .addEvents(event("g2", "grpc-u1", "jump"))
        .addEvents(event("g3", "grpc-u1", "purchase").toBuilder().setPrice(DoubleValue.of(-1)).build())
        .addEvents(event("g1", "grpc-u1", "view"))
        .build()).toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals(List.of("accepted", "rejected", "rejected", "duplicate"), reply.getResultsList().stream().map(EventResult::getStatus).toList());
    assertEquals("type", reply.getResults(1).getField());
    assertEquals("price", reply.getResults(2).getField());

    Profile p = reader.getProfile(GetProfileRequest.newBuilder().setUserId("grpc-u1").build()).toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals(1, p.getEventCount());
    assertEquals(1L, p.getLifetimeCountsOrThrow("view"));
    assertTrue(p.getProfileJson().contains("\"userId\":\"grpc-u1\""));

    ExecutionException missing = assertThrows(ExecutionException.class, () ->
        reader.getProfile(GetProfileRequest.newBuilder().setUserId("nobody").build()).toCompletableFuture().get(30, TimeUnit.SECONDS));
    assertEquals(Status.Code.NOT_FOUND, code(missing));
  }

  /** Server reflection answers under v1 (what newer grpcurl, grpcui and Postman ask) as under v1alpha, without a key. */
  @Test
  void serverReflectionListsTheServiceUnderBothNames() throws Exception {
    for (String version : List.of("v1", "v1alpha")) {
      try (RawH2 h2 = new RawH2(node.node.grpcPort(), true)) {
        h2.send(RawH2.frame(RawH2.HEADERS, RawH2.END_HEADERS, 1,
            RawH2.grpcHeadersAt("/grpc.reflection." + version + ".ServerReflection/ServerReflectionInfo", null, Map.of())));
        byte[] listServices = {0x3a, 1, '*'}; // ServerReflectionRequest.list_services = "*" (field 7)
        h2.send(RawH2.frame(RawH2.DATA, RawH2.END_STREAM, 1, RawH2.grpcFrame(listServices)));
        byte[] data = h2.awaitPayload(RawH2.DATA, 1, Duration.ofSeconds(10));
        assertTrue(data != null, version + ": an answer");
        var response = com.google.protobuf.UnknownFieldSet.parseFrom(java.util.Arrays.copyOfRange(data, 5, data.length));
        // ServerReflectionResponse.list_services_response (field 6) -> service (1) -> name (1)
        var list = com.google.protobuf.UnknownFieldSet.parseFrom(response.getField(6).getLengthDelimitedList().get(0));
        List<String> names = list.getField(1).getLengthDelimitedList().stream()
            .map(s -> {
              try {
                return com.google.protobuf.UnknownFieldSet.parseFrom(s).getField(1).getLengthDelimitedList().get(0).toStringUtf8();
              } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                throw new AssertionError(e);
              }
            }).toList();
        assertTrue(names.contains(dev.profileengine.grpc.ProfileService.name), version + ": " + names);
      }
    }
  }

  @Test
  void keysAndScopesApply() {
    ExecutionException noKey = assertThrows(ExecutionException.class, () ->
        anonymous.ingestEvents(IngestRequest.newBuilder().addEvents(event("k1", "u", "view")).build()).toCompletableFuture().get(30, TimeUnit.SECONDS));
    assertEquals(Status.Code.UNAUTHENTICATED, code(noKey));
    ExecutionException wrongScope = assertThrows(ExecutionException.class, () ->
        reader.ingestEvents(IngestRequest.newBuilder().addEvents(event("k1", "u", "view")).build()).toCompletableFuture().get(30, TimeUnit.SECONDS));
    assertEquals(Status.Code.PERMISSION_DENIED, code(wrongScope));
  }

  @Test
  void streamedEventsAreEachAcknowledgedInOrder() throws Exception {
    List<Event> events = IntStream.range(0, 250).mapToObj(i -> event("s" + i, "stream-u" + (i % 7), "view")).toList();
    List<EventResult> acks = writer.streamEvents(Source.from(events)).runWith(Sink.seq(), node.node.system())
        .toCompletableFuture().get(60, TimeUnit.SECONDS);
    assertEquals(250, acks.size());
    for (int i = 0; i < 250; i++) {
      assertEquals("s" + i, acks.get(i).getEventId());
      assertEquals("accepted", acks.get(i).getStatus());
    }
  }

  @Test
  void subscribersReceiveChangesOfTheirUsers() throws Exception {
    writer.ingestEvents(IngestRequest.newBuilder().addEvents(event("w1", "watched", "cart")).addEvents(event("o1", "other", "cart")).build())
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    List<ProfileChange> changes = reader.subscribeProfileChanges(SubscribeRequest.newBuilder().setFromOffset(0).addUserIds("watched").build())
        .take(1).completionTimeout(Duration.ofSeconds(30)).runWith(Sink.seq(), node.node.system())
        .toCompletableFuture().get(40, TimeUnit.SECONDS);
    assertEquals("watched", changes.get(0).getUserId());
    assertEquals(List.of("w1"), changes.get(0).getEventIdsList());
    assertTrue(changes.get(0).getChangesJson().contains("\"type\":\"cart\""));
  }

  /** {@code from_latest}: no history, only what is journaled after the subscription started. */
  @Test
  void subscribersFromLatestGetOnlyNewChanges() throws Exception {
    writer.ingestEvents(IngestRequest.newBuilder().addEvents(event("old-1", "latest-u", "view")).build()).toCompletableFuture().get(30, TimeUnit.SECONDS);
    // Events only: old-1's prediction may be journaled after the stream starts (it names old-1).
    var first = reader.subscribeProfileChanges(SubscribeRequest.newBuilder().setFromLatest(true).addUserIds("latest-u").build())
        .filter(c -> c.getCause().equals("event")).take(1).runWith(Sink.seq(), node.node.system()).toCompletableFuture();
    // The subscription's start is not observable from here: send new events until one arrives.
    for (int i = 0; i < 50 && !first.isDone(); i++) {
      writer.ingestEvents(IngestRequest.newBuilder().addEvents(event("new-" + i, "latest-u", "view")).build()).toCompletableFuture().get(30, TimeUnit.SECONDS);
      try {
        first.get(300, TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException notYet) {
        // next event
      }
    }
    List<ProfileChange> changes = first.get(1, TimeUnit.SECONDS);
    assertTrue(changes.get(0).getEventIdsList().get(0).startsWith("new-"), "not the history: " + changes.get(0).getEventIdsList());

    var both = SubscribeRequest.newBuilder().setFromLatest(true).setFromOffset(5).build();
    var refused = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class, () ->
        reader.subscribeProfileChanges(both).runWith(Sink.seq(), node.node.system()).toCompletableFuture().get(30, TimeUnit.SECONDS));
    assertEquals(io.grpc.Status.Code.INVALID_ARGUMENT, TestGrpc.status(refused.getCause()).getCode());
    assertTrue(TestGrpc.status(refused.getCause()).getDescription().startsWith("from_latest"));
  }

  @Test
  void subscribersReceiveTheTypedChange() throws Exception {
    Event cart = event("t1", "typed-u", "cart").toBuilder().setItemId("i7").setPrice(DoubleValue.of(2.5)).setQuantity(Int64Value.of(2)).build();
    writer.ingestEvents(IngestRequest.newBuilder().addEvents(cart).build()).toCompletableFuture().get(30, TimeUnit.SECONDS);
    // The cart is an event change, and puts the user into abandoned-cart: a segments change.
    List<ProfileChange> changes = reader.subscribeProfileChanges(SubscribeRequest.newBuilder().setFromOffset(0).addUserIds("typed-u").build())
        .takeWhile(c -> !c.hasSegments(), true).completionTimeout(Duration.ofSeconds(30)).runWith(Sink.seq(), node.node.system())
        .toCompletableFuture().get(40, TimeUnit.SECONDS);

    ProfileChange applied = changes.stream().filter(ProfileChange::hasEvent).findFirst().orElseThrow();
    assertEquals("event", applied.getCause());
    assertEquals(ProfileChange.ChangeCase.EVENT, applied.getChangeCase());
    ProfileChange.BehaviorApplied e = applied.getEvent();
    assertEquals("t1", e.getEventId());
    assertEquals("cart", e.getType());
    assertEquals(cart.getTimestampMs(), e.getEventTimeMs());
    assertEquals("i7", e.getItemId());
    assertEquals("c1", e.getCategoryId());
    assertEquals("", e.getBrand());
    assertEquals(5.0, e.getAmount().getValue());
    assertTrue(applied.getChangesJson().contains("\"amount\":5.0"), "the JSON stays for older clients: " + applied.getChangesJson());

    ProfileChange segments = changes.get(changes.size() - 1);
    assertEquals("segments", segments.getCause());
    assertEquals(ProfileChange.ChangeCase.SEGMENTS, segments.getChangeCase());
    assertEquals(List.of("abandoned-cart"), segments.getSegments().getEnteredList());
    assertEquals(List.of(), segments.getSegments().getLeftList());
    assertTrue(segments.getSegments().getSegmentsList().contains("abandoned-cart"));

    // Filtered by segment, the typed entry comes through too.
    ProfileChange entry = reader.subscribeProfileChanges(SubscribeRequest.newBuilder().setFromOffset(0).addUserIds("typed-u").setSegment("abandoned-cart").build())
        .take(1).completionTimeout(Duration.ofSeconds(30)).runWith(Sink.head(), node.node.system())
        .toCompletableFuture().get(40, TimeUnit.SECONDS);
    assertEquals(segments.getOffset(), entry.getOffset());
    assertEquals(List.of("abandoned-cart"), entry.getSegments().getEnteredList());
  }
}
