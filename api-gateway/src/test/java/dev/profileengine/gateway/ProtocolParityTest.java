package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.stream.javadsl.Sink;
import akka.stream.javadsl.SinkQueueWithCancel;
import com.fasterxml.jackson.databind.JsonNode;
import dev.profileengine.engine.profiles.InFlightLimit;
import dev.profileengine.gateway.wire.Json;
import dev.profileengine.gateway.wire.RequestChecks;
import dev.profileengine.grpc.Event;
import dev.profileengine.grpc.GetProfileRequest;
import dev.profileengine.grpc.IngestReply;
import dev.profileengine.grpc.IngestRequest;
import dev.profileengine.grpc.ProfileChange;
import dev.profileengine.grpc.ProfileServiceClient;
import dev.profileengine.grpc.SubscribeRequest;
import io.grpc.Status;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import akka.actor.typed.javadsl.Adapter;
import dev.profileengine.engine.journal.KnownPersistenceIds;
import dev.profileengine.engine.profiles.Outcome;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * One table of scenarios run over HTTP and over gRPC against one real node: each row names what
 * each protocol must answer and how the node's metrics must move, the same for both (they share
 * one {@code Profiles} facade, so its admission, read bound, subscriber caps and counters cannot
 * differ by protocol).
 */
class ProtocolParityTest {
  static final String WRITER = "pw4Hk7Nq2Xz9Lc1Vb6Mr3Tp8Jf5Gd0Syq";
  static final String READER = "pr8Gf2Lq6Wn1Zx4Cv7Bm3Kp9Tj5Hd0Ysw";
  static final String INGEST_ONLY = "pi3Tn8Vc1Qx6Zb4Lm9Kw2Rf7Hj5Gd0Yse";
  static final String CAPPED = "pc5Rm1Wq8Xn3Zv6Lb2Kt9Hf4Jg7Dd0Ysr";
  /** Rate-limited keys, one per protocol: each row spends its own key's burst first. */
  static final Map<String, String> LIMITED = Map.of("http", "pl7Bq3Nx9Zc2Vw5Mk1Tr8Hf4Jg6Dd0Yst", "grpc", "pg2Wz6Kq9Xv1Lb4Nm7Rt3Hf8Jc5Dd0Ysy");
  /** The rate keys refill at: slow enough that a spent key stays spent for the rest of the test. */
  static final int BURST = 1000;

  @TempDir
  static Path dataDir;
  static TestNode node;
  static final Map<String, ProfileServiceClient> grpc = new HashMap<>();

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start(dataDir, Map.of(
        "profile.http.api-keys-env", WRITER + "=ingest+read," + READER + "=read," + INGEST_ONLY + "=ingest," + CAPPED + "=read,"
            + LIMITED.get("http") + "=ingest," + LIMITED.get("grpc") + "=ingest",
        "profile.http.rate-limit.requests-per-second", 0.01,
        "profile.http.rate-limit.burst", BURST,
        "profile.changes.max-subscribers-per-key", 1,
        // E-mail identities are hashed with it (a node without one refuses them).
        "profile.privacy.pii-salt", "identity-tests-salt-0123456789-abcdefghijk"));
    for (String key : List.of(WRITER, READER, INGEST_ONLY, CAPPED, LIMITED.get("grpc"))) grpc.put(key, TestGrpc.client(node, key));
    grpc.put(null, TestGrpc.client(node, null));
    HttpResponse<String> seeded = node.send("POST", "/v1/events", Json.MAPPER.writeValueAsString(List.of(event("seed-1", "parity-known", "view"))),
        "Bearer " + WRITER);
    assertEquals(200, seeded.statusCode(), seeded.body());
    // Reads of never-written ids are answered from the journal's known ids once it has read them.
    KnownPersistenceIds.get(Adapter.toClassic(node.node.system())).loaded().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() {
    grpc.values().forEach(ProfileServiceClient::close);
    node.close();
  }

  // ---- the table ----

  /**
   * A scenario: {@code setup} (its effects are not measured) returns what to undo afterwards; the
   * action is measured. {@code http}/{@code grpc}: the status each protocol must answer;
   * {@code summary}: the protocol-neutral result both must give (null: none to compare);
   * {@code deltas}: how much each metric series must move, the same over both protocols.
   */
  record Row(String name, Setup setup, Action action, String http, String grpc, String summary, Map<String, Double> deltas) {}

  interface Setup {
    AutoCloseable run(Protocol p) throws Exception;
  }

  interface Action {
    Answer run(Protocol p) throws Exception;
  }

  /** What a protocol answered: its status ("200", "NOT_FOUND") and a protocol-neutral summary. */
  record Answer(String status, String summary) {}

  static final AutoCloseable NOTHING = () -> {};

  static List<Row> table() {
    String longId = "u".repeat(RequestChecks.MAX_ID_LENGTH + 1);
    return List.of(
        new Row("ingest a valid and an invalid event", p -> NOTHING,
            p -> p.ingest(WRITER, List.of(event("ok-" + p.name(), "parity-ingest-" + p.name(), "view"), event("bad-" + p.name(), "parity-ingest-" + p.name(), "jump"))),
            "200", "OK", "accepted=1 duplicates=0 rejected=1 unconfirmed=0",
            deltas("profile_ingest_events_total{status=\"accepted\"}", 1, "profile_ingest_events_total{status=\"rejected\"}", 1,
                "profile_ingest_batch_events_count", 1, "profile_admission_refused_total", 0)),
        new Row("read a profile", p -> NOTHING, p -> p.read(READER, "parity-known", null),
            "200", "OK", "profile of parity-known", deltas("profile_reads_total", 1)),
        new Row("read a never-written user (answered from the journal's known ids)", p -> NOTHING,
            p -> p.read(READER, "parity-nobody-" + p.name(), null),
            "404", "NOT_FOUND", null, deltas("profile_reads_total{source=\"unknown\"}", 1, "profile_reads_total{source=\"entity\"}", 0)),
        new Row("asOf out of range", p -> NOTHING, p -> p.read(READER, "parity-known", "1969-12-31T23:59:59Z"),
            "400", "INVALID_ARGUMENT", null, deltas("profile_reads_total", 0)),
        new Row("user id too long", p -> NOTHING, p -> p.read(READER, longId, null),
            "400", "INVALID_ARGUMENT", null, deltas("profile_reads_total", 0)),
        new Row("wrong scope: an ingest-only key reads", p -> NOTHING, p -> p.read(INGEST_ONLY, "parity-known", null),
            "403", "PERMISSION_DENIED", null, deltas("profile_access_denied_total{reason=\"forbidden\"}", 1, "profile_reads_total", 0)),
        new Row("no key", p -> NOTHING, p -> p.read(null, "parity-known", null),
            "401", "UNAUTHENTICATED", null, deltas("profile_access_denied_total{reason=\"unauthorized\"}", 1, "profile_reads_total", 0)),
        new Row("rate limited in events: a spent key's next event", ProtocolParityTest::spendBurst,
            p -> p.ingest(LIMITED.get(p.name()), List.of(event("rl-" + p.name(), "parity-limited", "view"))),
            "429", "RESOURCE_EXHAUSTED", null,
            deltas("profile_access_denied_total{reason=\"rate_limited\"}", 1, "profile_ingest_events_total", 0, "profile_ingest_batch_events_count", 0)),
        new Row("over the read bound: a stored profile not hosted here", ProtocolParityTest::forgetThenTakeReadBound,
            p -> p.read(READER, "parity-cold-" + p.name(), null),
            "503", "UNAVAILABLE", null, deltas("profile_admission_refused_total{kind=\"reads\"}", 1, "profile_reads_total", 0)),
        new Row("over the event bound: the batch is shed, nothing stored", ProtocolParityTest::takeEventBound,
            p -> p.ingest(WRITER, List.of(event("shed-" + p.name(), "parity-shed-" + p.name(), "view"))),
            // gRPC's IngestReply carries the refusal per event, as HTTP's 503 body does
            "503", "OK", "accepted=0 duplicates=0 rejected=0 unconfirmed=1",
            deltas("profile_admission_refused_total{kind=\"events\"}", 1, "profile_ingest_events_total{status=\"unconfirmed\"}", 1,
                "profile_ingest_events_total{status=\"accepted\"}", 0)),
        new Row("subscribe to a user's changes (held open while measured)", p -> NOTHING, p -> p.subscribe(READER, "parity-known"),
            "200", "OK", "change of parity-known", deltas("profile_change_subscribers", 1)),
        new Row("subscriber cap per key: a second subscription", p -> p.subscribeHeld(CAPPED, "parity-known"), p -> p.subscribe(CAPPED, "parity-known"),
            "429", "RESOURCE_EXHAUSTED", null,
            deltas("profile_change_subscribers_refused_total{limit=\"max-subscribers-per-key\"}", 1, "profile_change_subscribers", 0)),
        new Row("identify a user id, an anonymous id and an e-mail", p -> NOTHING,
            p -> p.identify(WRITER, null, claim("parity-id-" + p.name(), "parity-id-anon-" + p.name(), Map.of("email", p.name() + "@example.com"))),
            "200", "OK", "canonical=userId types=[anonymousId, email, userId]", deltas()),
        new Row("identify: a second e-mail is refused", p -> linked(p, claim("parity-two-" + p.name(), null, Map.of("email", "a-" + p.name() + "@example.com"))),
            p -> p.identify(WRITER, null, claim("parity-two-" + p.name(), null, Map.of("email", "b-" + p.name() + "@example.com"))),
            "409", "FAILED_PRECONDITION", "refused identities.email", deltas()),
        new Row("identify: an unknown identity type", p -> NOTHING,
            p -> p.identify(WRITER, null, claim("parity-x-" + p.name(), null, Map.of("shoeSize", "9"))),
            "400", "INVALID_ARGUMENT", "refused identities.shoeSize", deltas()),
        new Row("identify: wrong scope", p -> NOTHING, p -> p.identify(READER, null, claim("parity-x-" + p.name(), "parity-x-anon", null)),
            "403", "PERMISSION_DENIED", null, deltas("profile_access_denied_total{reason=\"forbidden\"}", 1)),
        new Row("unmerge a linked anonymous id", p -> linked(p, claim("parity-split-" + p.name(), "parity-split-anon-" + p.name(), null)),
            p -> p.identify(WRITER, "parity-split-" + p.name(), claim(null, "parity-split-anon-" + p.name(), null)),
            "200", "OK", "canonical=parity-split types=[userId]", deltas()),
        new Row("unmerge an identity that is not linked", p -> NOTHING,
            p -> p.identify(WRITER, "parity-known", claim(null, "parity-never-linked", null)),
            "404", "NOT_FOUND", "refused anonymousId", deltas()),
        new Row("read by a linked identity (linked by an event)", ProtocolParityTest::linkByEvent,
            p -> p.readByIdentity(READER, "anonymousId:parity-linked-anon"),
            "200", "OK", "profile of parity-linked", deltas("profile_reads_total", 1)));
  }

  @TestFactory
  Stream<DynamicTest> sameScenariosOverHttpAndGrpc() {
    List<DynamicTest> tests = new ArrayList<>();
    for (Row row : table()) {
      for (Protocol p : List.of(new Http(), new Grpc())) {
        tests.add(DynamicTest.dynamicTest(row.name() + " [" + p.name() + "]", () -> run(row, p)));
      }
    }
    return tests.stream();
  }

  private static void run(Row row, Protocol p) throws Exception {
    try (AutoCloseable undo = row.setup().run(p)) {
      Map<String, Double> before = metrics();
      Answer answer;
      try {
        answer = row.action().run(p);
      } finally {
        // Subscriptions are measured while open, then closed before the next row.
        Map<String, Double> after = metrics();
        p.closeOpen();
        for (Map.Entry<String, Double> d : row.deltas().entrySet()) {
          assertEquals(d.getValue(), value(after, d.getKey()) - value(before, d.getKey()), 1e-9,
              row.name() + " [" + p.name() + "]: " + d.getKey() + " moved by");
        }
      }
      assertEquals(p.name().equals("http") ? row.http() : row.grpc(), answer.status(), row.name() + " [" + p.name() + "]: " + answer);
      if (row.summary() != null) assertEquals(row.summary(), answer.summary(), row.name() + " [" + p.name() + "]");
    }
    awaitSubscribersClosed();
  }

  // ---- setups ----

  /** Spends the protocol's rate-limited key: one batch of {@link #BURST} unreadable events costs its whole burst. */
  static AutoCloseable spendBurst(Protocol p) throws Exception {
    List<Map<String, Object>> junk = IntStream.range(0, BURST).mapToObj(i -> Map.<String, Object>of("eventId", "junk-" + i)).toList();
    Answer spent = p.ingest(LIMITED.get(p.name()), junk);
    assertTrue(spent.status().equals("200") || spent.status().equals("OK"), "the burst is spent by an allowed batch: " + spent);
    return NOTHING;
  }

  /** A forgotten user is known to the journal but hosted nowhere: its read must ask the entity. */
  static AutoCloseable forgetThenTakeReadBound(Protocol p) throws Exception {
    String user = "parity-cold-" + p.name();
    HttpResponse<String> written = node.send("POST", "/v1/events", Json.MAPPER.writeValueAsString(List.of(event("cold-" + p.name(), user, "view"))),
        "Bearer " + WRITER);
    assertEquals(200, written.statusCode(), written.body());
    assertTrue(node.node.engine().profiles().forget(user).toCompletableFuture().get(30, TimeUnit.SECONDS) instanceof Outcome.Ok, "forgot " + user);
    return takeReadBound(p);
  }

  static AutoCloseable takeReadBound(Protocol p) {
    InFlightLimit reads = node.node.readLimit();
    long taken = reads.limit();
    assertTrue(reads.tryAcquire(taken), "take the whole read bound");
    return () -> reads.release(taken, 0, true);
  }

  static AutoCloseable takeEventBound(Protocol p) {
    InFlightLimit events = node.node.eventLimit();
    long taken = Math.max(1, events.limit());
    events.acquire(taken);
    return () -> events.release(taken, 0, true);
  }

  /** Identities linked before the measured action. */
  static AutoCloseable linked(Protocol p, Map<String, Object> claim) throws Exception {
    Answer done = p.identify(WRITER, null, claim);
    assertEquals(p.name().equals("http") ? "200" : "OK", done.status(), "linked: " + done);
    return NOTHING;
  }

  /** An event with a user id and an anonymous id links the two. */
  static AutoCloseable linkByEvent(Protocol p) throws Exception {
    Map<String, Object> e = event("linking-" + p.name(), "parity-linked", "view");
    e.put("anonymousId", "parity-linked-anon");
    Answer sent = p.ingest(WRITER, List.of(e));
    assertEquals("accepted=1 duplicates=0 rejected=0 unconfirmed=0", sent.summary(), "linked by an event: " + sent);
    return NOTHING;
  }

  /** An identify or unmerge body: the identities named (nulls left out). */
  static Map<String, Object> claim(String userId, String anonymousId, Map<String, String> identities) {
    Map<String, Object> m = new LinkedHashMap<>();
    if (userId != null) m.put("userId", userId);
    if (anonymousId != null) m.put("anonymousId", anonymousId);
    if (identities != null) m.put("identities", identities);
    return m;
  }

  /** A linked answer the same over both protocols: the canonical id (a user id named by the request as "userId", protocol suffix dropped) and the types. */
  static String linkedSummary(String canonical, java.util.Collection<String> types, Map<String, Object> claim, String protocol) {
    String shown = canonical.equals(claim.get("userId")) ? "userId" : canonical.replace("-" + protocol, "");
    return "canonical=" + shown + " types=" + new java.util.TreeSet<>(types);
  }

  /** A released subscriber place is given back when its stream terminates: wait for it (with a deadline). */
  static void awaitSubscribersClosed() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (node.node.engine().profiles().subscribers() > 0 && System.nanoTime() < deadline) Thread.sleep(20);
    assertEquals(0, node.node.engine().profiles().subscribers(), "every subscription closed");
  }

  // ---- the protocols ----

  interface Protocol {
    String name();

    Answer ingest(String key, List<Map<String, Object>> events) throws Exception;

    Answer read(String key, String userId, String asOf) throws Exception;

    /** The profile an identity ({@code type:value}) is linked to. */
    Answer readByIdentity(String key, String identity) throws Exception;

    /** Identify ({@code profileId} null) or unmerge from {@code profileId}, with a claim as {@link #claim} builds it. */
    Answer identify(String key, String profileId, Map<String, Object> claim) throws Exception;

    /** Subscribes from offset 0 to {@code userId}'s changes; on success waits for the first and keeps the stream open. */
    Answer subscribe(String key, String userId) throws Exception;

    /** A subscription held open until the returned handle is closed. */
    default AutoCloseable subscribeHeld(String key, String userId) throws Exception {
      Answer held = subscribe(key, userId);
      assertTrue(held.status().equals("200") || held.status().equals("OK"), "held: " + held);
      List<AutoCloseable> open = takeOpen();
      return () -> {
        for (AutoCloseable c : open) c.close();
      };
    }

    List<AutoCloseable> takeOpen();

    default void closeOpen() throws Exception {
      for (AutoCloseable c : takeOpen()) c.close();
    }
  }

  static final class Http implements Protocol {
    private final List<AutoCloseable> open = new ArrayList<>();

    @Override
    public String name() {
      return "http";
    }

    @Override
    public Answer ingest(String key, List<Map<String, Object>> events) throws Exception {
      HttpResponse<String> r = node.send("POST", "/v1/events", Json.MAPPER.writeValueAsString(events), bearer(key));
      JsonNode body = Json.MAPPER.readTree(r.body());
      String summary = body.has("accepted") ? counts(body.get("accepted").asLong(), body.get("duplicates").asLong(),
          body.get("rejected").asLong(), body.get("unconfirmed").asLong()) : null;
      if (r.statusCode() == 503 || r.statusCode() == 429) assertTrue(r.headers().firstValue("Retry-After").isPresent(), "Retry-After: " + r);
      return new Answer(Integer.toString(r.statusCode()), summary);
    }

    @Override
    public Answer read(String key, String userId, String asOf) throws Exception {
      HttpResponse<String> r = node.get("/v1/profiles/" + userId + (asOf == null ? "" : "?asOf=" + asOf), bearer(key));
      String summary = r.statusCode() == 200 ? "profile of " + Json.MAPPER.readTree(r.body()).get("userId").asText() : null;
      return new Answer(Integer.toString(r.statusCode()), summary);
    }

    @Override
    public Answer readByIdentity(String key, String identity) throws Exception {
      HttpResponse<String> r = node.get("/v1/profiles/_?identity=" + java.net.URLEncoder.encode(identity, java.nio.charset.StandardCharsets.UTF_8), bearer(key));
      String summary = r.statusCode() == 200 ? "profile of " + Json.MAPPER.readTree(r.body()).get("userId").asText() : null;
      return new Answer(Integer.toString(r.statusCode()), summary);
    }

    @Override
    public Answer identify(String key, String profileId, Map<String, Object> claim) throws Exception {
      String path = profileId == null ? "/v1/identify" : "/v1/profiles/" + profileId + "/unmerge";
      HttpResponse<String> r = node.send("POST", path, Json.MAPPER.writeValueAsString(claim), bearer(key));
      JsonNode body = Json.MAPPER.readTree(r.body());
      if (r.statusCode() != 200) return new Answer(Integer.toString(r.statusCode()), body.has("field") ? "refused " + body.get("field").asText() : null);
      List<String> types = new ArrayList<>();
      body.get("identities").fieldNames().forEachRemaining(types::add);
      return new Answer("200", linkedSummary(body.get("userId").asText(), types, claim, name()));
    }

    /** Over a plain socket, so that closing it (a reset) ends the subscription at once, as a client going away does. */
    @Override
    public Answer subscribe(String key, String userId) throws Exception {
      java.net.Socket socket = new java.net.Socket(node.base.getHost(), node.base.getPort());
      socket.setSoTimeout(30_000);
      socket.setSoLinger(true, 0);
      String request = "GET /v1/changes?userId=" + userId + " HTTP/1.1\r\nHost: " + node.base.getAuthority()
          + "\r\nAccept: text/event-stream\r\n" + (key == null ? "" : "Authorization: Bearer " + key + "\r\n") + "\r\n";
      socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
      String statusLine = in.readLine();
      int status = Integer.parseInt(statusLine.split(" ")[1]);
      if (status != 200) {
        socket.close();
        return new Answer(Integer.toString(status), null);
      }
      open.add(socket);
      // chunked SSE: the first "data:" line is the first change
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.startsWith("data:")) return new Answer("200", "change of " + Json.MAPPER.readTree(line.substring(5).strip()).get("userId").asText());
      }
      throw new AssertionError("the stream ended before a change");
    }

    @Override
    public List<AutoCloseable> takeOpen() {
      List<AutoCloseable> taken = List.copyOf(open);
      open.clear();
      return taken;
    }

    private static String bearer(String key) {
      return key == null ? null : "Bearer " + key;
    }
  }

  static final class Grpc implements Protocol {
    private final List<AutoCloseable> open = new ArrayList<>();

    @Override
    public String name() {
      return "grpc";
    }

    @Override
    public Answer ingest(String key, List<Map<String, Object>> events) throws Exception {
      IngestRequest.Builder request = IngestRequest.newBuilder();
      for (Map<String, Object> e : events) request.addEvents(proto(e));
      try {
        IngestReply reply = grpc.get(key).ingestEvents(request.build()).toCompletableFuture().get(30, TimeUnit.SECONDS);
        return new Answer("OK", counts(reply.getAccepted(), reply.getDuplicates(), reply.getRejected(), reply.getUnconfirmed()));
      } catch (java.util.concurrent.ExecutionException e) {
        return new Answer(TestGrpc.status(e).getCode().name(), null);
      }
    }

    @Override
    public Answer read(String key, String userId, String asOf) throws Exception {
      GetProfileRequest.Builder request = GetProfileRequest.newBuilder().setUserId(userId);
      if (asOf != null) request.setAsOf(asOf);
      try {
        return new Answer("OK", "profile of " + grpc.get(key).getProfile(request.build()).toCompletableFuture().get(30, TimeUnit.SECONDS).getUserId());
      } catch (java.util.concurrent.ExecutionException e) {
        return new Answer(TestGrpc.status(e).getCode().name(), null);
      }
    }

    @Override
    public Answer readByIdentity(String key, String identity) throws Exception {
      try {
        return new Answer("OK", "profile of " + grpc.get(key).getProfile(GetProfileRequest.newBuilder().setIdentity(identity).build())
            .toCompletableFuture().get(30, TimeUnit.SECONDS).getUserId());
      } catch (java.util.concurrent.ExecutionException e) {
        return new Answer(TestGrpc.status(e).getCode().name(), null);
      }
    }

    @Override
    @SuppressWarnings("unchecked")
    public Answer identify(String key, String profileId, Map<String, Object> claim) throws Exception {
      String userId = (String) claim.getOrDefault("userId", "");
      String anonymousId = (String) claim.getOrDefault("anonymousId", "");
      Map<String, String> identities = (Map<String, String>) claim.getOrDefault("identities", Map.of());
      try {
        dev.profileengine.grpc.LinkedIdentities linked = (profileId == null
            ? grpc.get(key).identify(dev.profileengine.grpc.IdentifyRequest.newBuilder().setUserId(userId).setAnonymousId(anonymousId)
                .putAllIdentities(identities).build())
            : grpc.get(key).unmerge(dev.profileengine.grpc.UnmergeRequest.newBuilder().setProfileId(profileId).setUserId(userId)
                .setAnonymousId(anonymousId).putAllIdentities(identities).build()))
            .toCompletableFuture().get(30, TimeUnit.SECONDS);
        return new Answer("OK", linkedSummary(linked.getUserId(), linked.getIdentitiesMap().keySet(), claim, name()));
      } catch (java.util.concurrent.ExecutionException e) {
        Status status = TestGrpc.status(e);
        String description = status.getDescription();
        boolean named = description != null && description.indexOf(':') > 0 && status.getCode() != Status.Code.PERMISSION_DENIED;
        return new Answer(status.getCode().name(), named ? "refused " + description.substring(0, description.indexOf(':')) : null);
      }
    }

    @Override
    public Answer subscribe(String key, String userId) throws Exception {
      SinkQueueWithCancel<ProfileChange> queue = grpc.get(key)
          .subscribeProfileChanges(SubscribeRequest.newBuilder().setFromOffset(0).addUserIds(userId).build())
          .runWith(Sink.queue(), node.node.system());
      Optional<ProfileChange> first;
      try {
        first = queue.pull().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        Status status = TestGrpc.status(e);
        return new Answer(status.getCode().name(), null);
      }
      open.add(queue::cancel);
      assertTrue(first.isPresent(), "a change, not the end of the stream");
      return new Answer("OK", "change of " + first.get().getUserId());
    }

    @Override
    public List<AutoCloseable> takeOpen() {
      List<AutoCloseable> taken = List.copyOf(open);
      open.clear();
      return taken;
    }

    private static Event proto(Map<String, Object> e) {
      Event.Builder b = Event.newBuilder();
      if (e.get("eventId") != null) b.setEventId((String) e.get("eventId"));
      if (e.get("userId") != null) b.setUserId((String) e.get("userId"));
      if (e.get("type") != null) b.setType((String) e.get("type"));
      if (e.get("timestamp") != null) b.setTimestampMs((Long) e.get("timestamp"));
      if (e.get("categoryId") != null) b.setCategoryId((String) e.get("categoryId"));
      if (e.get("anonymousId") != null) b.setAnonymousId((String) e.get("anonymousId"));
      return b.build();
    }
  }

  // ---- helpers ----

  static Map<String, Object> event(String id, String user, String type) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("eventId", id);
    e.put("userId", user);
    e.put("type", type);
    e.put("timestamp", Instant.now().minusSeconds(30).toEpochMilli());
    e.put("categoryId", "c1");
    return e;
  }

  static String counts(long accepted, long duplicates, long rejected, long unconfirmed) {
    return "accepted=" + accepted + " duplicates=" + duplicates + " rejected=" + rejected + " unconfirmed=" + unconfirmed;
  }

  static Map<String, Double> deltas(Object... pairs) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) m.put((String) pairs[i], ((Number) pairs[i + 1]).doubleValue());
    return m;
  }

  /** Every series of {@code /metrics}: {@code name{labels}} to its value. */
  static Map<String, Double> metrics() throws Exception {
    Map<String, Double> m = new HashMap<>();
    for (String line : node.get("/metrics").body().split("\n")) {
      if (line.isEmpty() || line.startsWith("#")) continue;
      int space = line.lastIndexOf(' ');
      m.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
    }
    return m;
  }

  /** A series' value; a name without labels sums every series of that name (absent: 0). */
  static double value(Map<String, Double> metrics, String series) {
    if (series.contains("{")) return metrics.getOrDefault(series, 0.0);
    return metrics.entrySet().stream()
        .filter(e -> e.getKey().equals(series) || e.getKey().startsWith(series + "{"))
        .mapToDouble(Map.Entry::getValue).sum();
  }
}
