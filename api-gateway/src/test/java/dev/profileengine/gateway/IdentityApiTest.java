package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import com.fasterxml.jackson.databind.JsonNode;
import dev.profileengine.gateway.wire.Json;
import dev.profileengine.grpc.Event;
import dev.profileengine.grpc.EventResult;
import dev.profileengine.grpc.GetProfileRequest;
import dev.profileengine.grpc.IdentifyRequest;
import dev.profileengine.grpc.IngestRequest;
import dev.profileengine.grpc.LinkedIdentities;
import dev.profileengine.grpc.Profile;
import dev.profileengine.grpc.ProfileServiceClient;
import dev.profileengine.grpc.UnmergeRequest;
import io.grpc.Status;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Identity resolution over both protocols against one real node: events under anonymous ids and a
 * user id, identify, reads by any linked identifier, a refused link, unmerge, and hostile input.
 */
class IdentityApiTest {
  @TempDir
  static Path dataDir;
  static TestNode node;
  static ProfileServiceClient grpc;
  /** Distinct event times, inside every window. */
  static final AtomicLong clock = new AtomicLong(Instant.now().minusSeconds(120).toEpochMilli());

  @BeforeAll
  static void start() {
    // E-mail identities are hashed with the salt (a node without one refuses them).
    node = TestNode.start(dataDir, java.util.Map.of("profile.privacy.pii-salt", "identity-tests-salt-0123456789-abcdefghijk"));
    grpc = TestGrpc.client(node, null);
  }

  @AfterAll
  static void stop() {
    grpc.close();
    node.close();
  }

  // ---- HTTP ----

  @Test
  void anonymousHistoriesAndAUserIdBecomeOneProfileAndSplitBack() throws Exception {
    assertAccepted(post("/v1/events", events("ha1-", 2, Map.of("anonymousId", "h-anon-1"))));
    assertAccepted(post("/v1/events", events("ha2-", 3, Map.of("anonymousId", "h-anon-2"))));
    assertAccepted(post("/v1/events", events("hu-", 1, Map.of("userId", "h-ann"))));
    // An event with an anonymous id only lands in that identity's own profile.
    JsonNode anon1 = read("/v1/profiles/" + path("~anonymousId:h-anon-1"));
    assertEquals("~anonymousId:h-anon-1", anon1.get("userId").asText());
    assertEquals(2, anon1.get("eventCount").asLong());

    JsonNode first = ok(post("/v1/identify", "{\"userId\":\"h-ann\",\"anonymousId\":\"h-anon-1\"}"));
    assertEquals("h-ann", first.get("userId").asText(), first.toString());
    assertEquals(List.of("h-anon-1"), strings(first.at("/identities/anonymousId")));
    JsonNode second = ok(post("/v1/identify", "{\"anonymousId\":\"h-anon-2\",\"identities\":{\"email\":\"ann@example.com\"},\"userId\":\"h-ann\"}"));
    assertEquals("h-ann", second.get("userId").asText());
    assertEquals(List.of("h-ann"), strings(second.at("/identities/userId")));
    assertEquals(List.of("h-anon-1", "h-anon-2"), strings(second.at("/identities/anonymousId")));
    List<String> email = strings(second.at("/identities/email"));
    assertEquals(1, email.size());
    assertTrue(!email.get(0).contains("ann@example.com"), "personal values are hashed: " + email);

    for (String by : List.of("/v1/profiles/h-ann", "/v1/profiles/" + path("~anonymousId:h-anon-1"), "/v1/profiles/any?identity=anonymousId:h-anon-2",
        "/v1/profiles/any?identity=" + query("email:ann@example.com"), "/v1/profiles/any?identity=userId:h-ann")) {
      JsonNode p = read(by);
      assertEquals("h-ann", p.get("userId").asText(), by);
      assertEquals(6, p.get("eventCount").asLong(), by);
      assertEquals(second.get("identities"), p.get("identities"), by);
    }
    assertEquals(200, node.get("/v1/profiles/any/recommendations?identity=anonymousId:h-anon-1").statusCode());
    // Export through any linked identity is the canonical profile's, with its identities and every merged event.
    HttpResponse<String> export = node.get("/v1/profiles/x/export?identity=" + query("email:ann@example.com"));
    assertEquals(200, export.statusCode(), export.body());
    JsonNode exported = Json.MAPPER.readTree(export.body());
    assertEquals("h-ann", exported.get("userId").asText());
    assertEquals(second.get("identities"), exported.get("profile").get("identities"));

    // A second e-mail for the same person: the rules allow one, nothing changes.
    HttpResponse<String> conflict = post("/v1/identify", "{\"userId\":\"h-ann\",\"identities\":{\"email\":\"other@example.com\"}}");
    assertEquals(409, conflict.statusCode(), conflict.body());
    assertEquals("identities.email", Json.MAPPER.readTree(conflict.body()).get("field").asText());
    assertTrue(Json.MAPPER.readTree(conflict.body()).hasNonNull("error"), conflict.body());
    assertEquals(6, read("/v1/profiles/h-ann").get("eventCount").asLong());

    HttpResponse<String> notLinked = post("/v1/profiles/h-ann/unmerge", "{\"anonymousId\":\"h-anon-never\"}");
    assertEquals(404, notLinked.statusCode(), notLinked.body());
    assertEquals("anonymousId", Json.MAPPER.readTree(notLinked.body()).get("field").asText());

    JsonNode split = ok(post("/v1/profiles/h-ann/unmerge", "{\"anonymousId\":\"h-anon-2\"}"));
    assertEquals("h-ann", split.get("userId").asText());
    assertEquals(List.of("h-anon-1"), strings(split.at("/identities/anonymousId")));
    assertEquals(3, read("/v1/profiles/h-ann").get("eventCount").asLong());
    JsonNode anon2 = read("/v1/profiles/any?identity=anonymousId:h-anon-2");
    assertEquals("~anonymousId:h-anon-2", anon2.get("userId").asText());
    assertEquals(3, anon2.get("eventCount").asLong());

    // Subscribers learn of both: merged and unmerged changes name the profiles and identities.
    List<String> seen = new java.util.ArrayList<>();
    try (SseClient sse = new SseClient(node.base.resolve("/v1/changes?from=0&userId=h-ann"), null)) {
      assertEquals(200, sse.status);
      while (!seen.contains("unmerged ~anonymousId:h-anon-2 [anonymousId:h-anon-2]")) {
        SseClient.Event e = sse.next(java.time.Duration.ofSeconds(30));
        assertTrue(e != null, "no unmerged change; seen " + seen);
        if (!"profile-changed".equals(e.type())) continue;
        JsonNode c = Json.MAPPER.readTree(e.data());
        String cause = c.get("cause").asText();
        // The merge's and split's own steps (started, cancelled) are the engine's, not changes: never sent.
        assertTrue(!cause.equals("other") && !cause.equals("internal"), "a change subscribers cannot read: " + e.data());
        if (cause.equals("merged")) seen.add("merged " + c.at("/changes/merged").asText() + " into " + c.at("/changes/canonical").asText());
        if (cause.equals("unmerged")) seen.add("unmerged " + c.at("/changes/split").asText() + " " + strings(c.at("/changes/identities")));
      }
    }
    assertTrue(seen.contains("merged ~anonymousId:h-anon-1 into h-ann"), seen.toString());
    assertTrue(seen.contains("merged ~anonymousId:h-anon-2 into h-ann"), seen.toString());
  }

  @Test
  void segmentMembersMoveToTheCanonicalProfile() throws Exception {
    // Two purchases anonymously and one as a customer: neither is a frequent buyer (3 in 30 days), the person is.
    List<Map<String, Object>> anon = new ArrayList<>();
    for (int i = 0; i < 2; i++) anon.add(typed("seg-a-" + i, "purchase", Map.of("anonymousId", "seg-anon")));
    assertAccepted(post("/v1/events", Json.MAPPER.writeValueAsString(anon)));
    assertAccepted(post("/v1/events", Json.MAPPER.writeValueAsString(List.of(typed("seg-u-0", "purchase", Map.of("userId", "seg-user"))))));
    assertTrue(ruled(read("/v1/profiles/" + path("~anonymousId:seg-anon")).get("segments")).isEmpty());

    ok(post("/v1/identify", "{\"userId\":\"seg-user\",\"anonymousId\":\"seg-anon\"}"));
    assertEquals(List.of("frequent-buyers"), ruled(read("/v1/profiles/seg-user").get("segments")));
    java.util.Set<String> members = node.settledSegmentMembers("frequent-buyers");
    assertTrue(members.contains("seg-user"), members.toString());
    assertTrue(!members.contains("~anonymousId:seg-anon"), members.toString());

    // Split again: neither side qualifies any more, the members table follows.
    ok(post("/v1/profiles/seg-user/unmerge", "{\"anonymousId\":\"seg-anon\"}"));
    assertTrue(ruled(read("/v1/profiles/seg-user").get("segments")).isEmpty());
    assertTrue(!node.settledSegmentMembers("frequent-buyers").contains("seg-user"));
  }

  /** The segments of {@code array} the profile's behaviors decide: likely-buyers follows the model's prediction, which comes when it comes. */
  private static List<String> ruled(JsonNode array) {
    return strings(array).stream().filter(s -> !s.equals("likely-buyers")).toList();
  }

  private static Map<String, Object> typed(String id, String type, Map<String, Object> who) {
    Map<String, Object> e = event(id, clock.incrementAndGet(), who);
    e.put("type", type);
    e.put("price", 10.0);
    return e;
  }

  @Test
  void aDeviceSeenWithMoreThanThreeCustomersIsSharedAndStopsMerging() throws Exception {
    ok(post("/v1/identify", "{\"userId\":\"kiosk-u1\",\"identities\":{\"device\":\"kiosk\"}}"));
    // Customers two and three: refused as two user ids in one profile, and counted by the device.
    for (String u : List.of("kiosk-u2", "kiosk-u3")) {
      HttpResponse<String> r = post("/v1/identify", "{\"userId\":\"" + u + "\",\"identities\":{\"device\":\"kiosk\"}}");
      assertEquals(409, r.statusCode(), r.body());
      assertEquals("userId", Json.MAPPER.readTree(r.body()).get("field").asText());
    }
    // The fourth makes it shared: refused naming the device, and it merges nothing from then on.
    for (String body : List.of("{\"userId\":\"kiosk-u4\",\"identities\":{\"device\":\"kiosk\"}}",
        "{\"anonymousId\":\"kiosk-visitor\",\"identities\":{\"device\":\"kiosk\"}}")) {
      HttpResponse<String> r = post("/v1/identify", body);
      assertEquals(409, r.statusCode(), r.body());
      assertEquals("identities.device", Json.MAPPER.readTree(r.body()).get("field").asText(), r.body());
      assertTrue(Json.MAPPER.readTree(r.body()).get("error").asText().contains("shared"), r.body());
    }
    assertEquals(List.of("kiosk-u1"), strings(read("/v1/profiles/kiosk-u1").at("/identities/userId")));
    // Other identities still link around it.
    JsonNode linked = ok(post("/v1/identify", "{\"userId\":\"kiosk-u4\",\"anonymousId\":\"kiosk-visitor\",\"identities\":{\"device\":\"kiosk\"}}"));
    assertEquals("kiosk-u4", linked.get("userId").asText());
    assertEquals(List.of("kiosk-visitor"), strings(linked.at("/identities/anonymousId")));
    assertTrue(linked.at("/identities/device").isMissingNode(), linked.toString());
  }

  @Test
  void anEventWithAUserIdAndOtherIdentitiesLinksThem() throws Exception {
    assertAccepted(post("/v1/events", events("hl1-", 1, Map.of("anonymousId", "h-anon-3"))));
    assertAccepted(post("/v1/events", events("hl2-", 2, Map.of("userId", "h-bob", "anonymousId", "h-anon-3"))));
    JsonNode bob = read("/v1/profiles/any?identity=anonymousId:h-anon-3");
    assertEquals("h-bob", bob.get("userId").asText());
    assertEquals(3, bob.get("eventCount").asLong());
    // Without a user id, an anonymous id keys the event and its typed identities are linked to it.
    assertAccepted(post("/v1/events", events("hl3-", 1, Map.of("anonymousId", "h-anon-4", "identities", Map.of("device", "h-dev-4")))));
    JsonNode device = read("/v1/profiles/any?identity=device:h-dev-4");
    assertEquals("~anonymousId:h-anon-4", device.get("userId").asText());
    assertEquals(List.of("h-dev-4"), strings(device.at("/identities/device")));
    // The longest anonymous id makes a key longer than a user id may be: its profile is still readable by its key.
    String longest = "n".repeat(128);
    assertAccepted(post("/v1/events", events("hl4-", 1, Map.of("anonymousId", longest))));
    assertEquals(1, read("/v1/profiles/" + path("~anonymousId:" + longest)).get("eventCount").asLong());
    assertEquals(1, get(grpc.getProfile(GetProfileRequest.newBuilder().setUserId("~anonymousId:" + longest).build())).getEventCount());
  }

  @Test
  void hostileIdentifyBodiesAre400NamingTheField() throws Exception {
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put("{\"userId\":\"h-x\",\"identities\":{\"shoeSize\":\"9\"}}", "identities.shoeSize");
    cases.put("{\"anonymousId\":\"" + "a".repeat(10_000) + "\"}", "anonymousId");
    cases.put("{\"anonymousId\":\"a\\u0001b\"}", "anonymousId");
    cases.put("{\"identities\":{\"email\":\"ann\\u0000@example.com\"}}", "identities.email");
    cases.put("{\"userId\":\"~anonymousId:h-x\"}", "userId");
    cases.put("{\"userId\":\"   \"}", "userId");
    cases.put("{}", "userId");
    cases.put("{\"userId\":true}", "userId");
    cases.put("{\"identities\":[\"email\"]}", "identities");
    cases.put("{\"identities\":{\"email\":7}}", "identities.email");
    cases.put("{\"identities\":{\"e\\u0001mail\":\"x\"}}", "identities");
    cases.put("{\"identities\":{\"" + "t".repeat(10_000) + "\":\"x\"}}", "identities");
    cases.put("{\"userId\":\"h-x\",\"userID\":\"h-y\"}", "userID");
    cases.put("[\"h-x\"]", "body");
    cases.put("{\"userId\":", "body");
    List<String> wrong = new ArrayList<>();
    for (var c : cases.entrySet()) {
      for (String route : List.of("/v1/identify", "/v1/profiles/h-x/unmerge")) {
        HttpResponse<String> r = post(route, c.getKey());
        String field = r.statusCode() == 400 ? Json.MAPPER.readTree(r.body()).path("field").asText() : null;
        if (!c.getValue().equals(field)) wrong.add(route + " " + shown(c.getKey()) + ": " + r.statusCode() + " " + shown(r.body()));
        assertTrue(r.body().length() < 2_000, "an error does not echo the input: " + shown(r.body()));
      }
    }
    assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    assertEquals(413, node.postOversized("/v1/identify", "{\"userId\":\"" + "u".repeat(20_000) + "\"}").statusCode());
    HttpResponse<String> badLookup = node.get("/v1/profiles/h-ann?identity=nocolon");
    assertEquals(400, badLookup.statusCode());
    assertEquals("identity", Json.MAPPER.readTree(badLookup.body()).get("field").asText());
    HttpResponse<String> unknownType = node.get("/v1/profiles/h-ann?identity=shoeSize:9");
    assertEquals(400, unknownType.statusCode());
    assertEquals("identity", Json.MAPPER.readTree(unknownType.body()).get("field").asText());
    assertTrue(!unknownType.body().contains("shoeSize"), "an unknown type is not echoed either: " + unknownType.body());
    // A type no rule could name is refused before it is echoed: nothing of it comes back.
    HttpResponse<String> junkType = node.get("/v1/profiles/h-ann?identity=" + query("x\u0001" + "y".repeat(2_000) + ":9"));
    assertEquals(400, junkType.statusCode());
    assertEquals("identity", Json.MAPPER.readTree(junkType.body()).get("field").asText());
    assertTrue(junkType.body().length() < 300 && !junkType.body().contains("yyy"), junkType.body());
  }

  @Test
  void hostileEventIdentitiesRejectThatEventAloneNamingTheField() throws Exception {
    long t = clock.incrementAndGet();
    String body = Json.MAPPER.writeValueAsString(List.of(
        event("hh-ok", t, Map.of("anonymousId", "h-anon-5")),
        event("hh-1", t, Map.of("userId", "h-y", "identities", Map.of("shoeSize", "9"))),
        event("hh-2", t, Map.of("anonymousId", "a".repeat(10_000))),
        event("hh-3", t, Map.of("anonymousId", "a\u0001b")),
        event("hh-4", t, Map.of("userId", "~anonymousId:h-anon-5")),
        event("hh-5", t, Map.of("userId", "h-y", "identities", "email")),
        event("hh-6", t, Map.of("userId", "h-y", "identities", Map.of("email", " "))),
        event("hh-7", t, Map.of("identities", Map.of("email", "ann@example.com")))));
    HttpResponse<String> r = post("/v1/events", body);
    assertEquals(200, r.statusCode(), r.body());
    List<String> fields = rejectedAfterTheFirst(r);
    assertEquals(List.of("identities.shoeSize", "anonymousId", "anonymousId", "userId", "identities", "identities.email", "userId"), fields);
  }

  /**
   * A path id starting with '~' must be a key an identity can have on this node: else 400 naming
   * userId on every per-profile route and over gRPC, and nothing is stored under it (a personal
   * value never becomes a key unhashed).
   */
  @Test
  void profileKeysNoIdentityCanHaveAre400OnEveryRouteAndOverGrpc() throws Exception {
    for (String id : List.of("~", "~x", "~:v", "~fax:1", "~Email:x", "~anonymousId:", "~device: ", "~userId:u42", "~email:ann@example.com")) {
      String p = "/v1/profiles/" + path(id).replace("+", "%20");
      for (HttpResponse<String> r : List.of(node.get(p), node.send("PUT", p + "/attributes", "{\"a\":\"b\"}"),
          node.send("PUT", p + "/consent", "{\"analytics\":true}"), node.send("DELETE", p, ""), node.get(p + "/export"),
          node.get(p + "/recommendations"), node.send("POST", p + "/unmerge", "{\"anonymousId\":\"a\"}"))) {
        assertEquals(400, r.statusCode(), id + ": " + r.body());
        assertEquals("userId", Json.MAPPER.readTree(r.body()).path("field").asText(), id + ": " + r.body());
        assertTrue(!r.body().contains("ann@example.com"), r.body());
      }
      Status s = TestGrpc.status(org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
          () -> get(grpc.getProfile(GetProfileRequest.newBuilder().setUserId(id).build()))));
      assertEquals(Status.Code.INVALID_ARGUMENT, s.getCode(), id);
      assertTrue(s.getDescription().startsWith("user_id: "), s.getDescription());
      s = TestGrpc.status(org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
          () -> get(grpc.unmerge(UnmergeRequest.newBuilder().setProfileId(id).setAnonymousId("a").build()))));
      assertTrue(s.getDescription().startsWith("profile_id: "), s.getDescription());
    }
    // Keys identities can have are read as before (nothing stored under these: 404).
    assertEquals(404, node.get("/v1/profiles/" + path("~anonymousId:never-seen")).statusCode());
    assertEquals(404, node.get("/v1/profiles/" + path("~email:h:" + "0".repeat(64))).statusCode());
  }

  @Test
  void unpairedSurrogatesAre400NamingTheFieldAndTheLinkedProfileStillAnswers() throws Exception {
    // "\\ud800" is valid JSON but not Unicode text: no journal write can encode it. Linked to a
    // profile with a history, it failed that profile's writes, retried every few seconds for ever.
    assertAccepted(post("/v1/events", events("su-", 1, Map.of("userId", "s-ann"))));
    List<String> wrong = new ArrayList<>();
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put("{\"userId\":\"s-ann\",\"anonymousId\":\"s\\ud800\"}", "anonymousId");
    cases.put("{\"userId\":\"s-ann\",\"identities\":{\"device\":\"\\udc00s\"}}", "identities.device");
    cases.put("{\"userId\":\"s-ann\",\"anonymousId\":\"s\\udc00\\ud800\"}", "anonymousId");
    for (var c : cases.entrySet()) {
      for (String route : List.of("/v1/identify", "/v1/profiles/s-ann/unmerge")) {
        HttpResponse<String> r = post(route, c.getKey());
        String field = r.statusCode() == 400 ? Json.MAPPER.readTree(r.body()).path("field").asText() : null;
        if (!c.getValue().equals(field)) wrong.add(route + " " + c.getKey() + ": " + r.statusCode() + " " + shown(r.body()));
      }
    }
    HttpResponse<String> attributes = node.send("PUT", "/v1/profiles/s-ann/attributes", "{\"nick\":\"\\ud800\"}");
    if (attributes.statusCode() != 400 || !"attributes.nick".equals(Json.MAPPER.readTree(attributes.body()).path("field").asText()))
      wrong.add("attributes: " + attributes.statusCode() + " " + shown(attributes.body()));
    assertTrue(wrong.isEmpty(), String.join("\n", wrong));

    // Events: each such event alone is rejected naming its field.
    String event = "{\"eventId\":\"%s\",\"type\":\"view\",\"timestamp\":%d,\"categoryId\":\"c1\",%s}";
    String body = "[" + String.join(",",
        String.format(event, "su-ok", clock.incrementAndGet(), "\"userId\":\"s-ann\""),
        String.format(event, "su-1", clock.incrementAndGet(), "\"anonymousId\":\"s\\ud800\""),
        String.format(event, "su-2", clock.incrementAndGet(), "\"userId\":\"s-ann\",\"identities\":{\"device\":\"\\udc00\"}"),
        String.format(event, "su-3", clock.incrementAndGet(), "\"userId\":\"s\\ud800x\""),
        String.format(event, "su-4", clock.incrementAndGet(), "\"userId\":\"s-ann\",\"query\":\"\\ud800\"")) + "]";
    HttpResponse<String> r = post("/v1/events", body);
    assertEquals(200, r.statusCode(), r.body());
    List<String> fields = rejectedAfterTheFirst(r);
    assertEquals(List.of("anonymousId", "identities.device", "userId", "query"), fields);

    // The profile they named is undisturbed: it answers, takes events, and links nothing.
    assertAccepted(post("/v1/events", events("su-after-", 1, Map.of("userId", "s-ann"))));
    JsonNode ann = read("/v1/profiles/s-ann");
    assertEquals(3, ann.get("eventCount").asLong(), ann.toString());
    assertEquals(List.of("s-ann"), strings(ann.at("/identities/userId")));
    assertTrue(ann.at("/identities/anonymousId").isMissingNode(), ann.toString());
  }

  @Test
  void aLinkForgottenIsMadeAgainByTheNextEventThatNamesIt() throws Exception {
    // Events repeat both ids; the node remembers a link it made for a minute and asks no more.
    Map<String, Object> both = Map.of("userId", "fg-ann", "anonymousId", "fg-anon");
    assertAccepted(post("/v1/events", events("fg-a-", 2, both)));
    assertEquals("fg-ann", read("/v1/profiles/any?identity=anonymousId:fg-anon").get("userId").asText());
    HttpResponse<String> forget = node.send("DELETE", "/v1/profiles/fg-ann", "");
    assertEquals(200, forget.statusCode(), forget.body());
    // Sent again after the forget (stamped after it), the ids must be linked again, not taken as linked still.
    long after = System.currentTimeMillis() + 1_000;
    assertAccepted(post("/v1/events", Json.MAPPER.writeValueAsString(List.of(event("fg-b-0", after, both)))));
    assertAccepted(post("/v1/events", Json.MAPPER.writeValueAsString(List.of(event("fg-c-0", after + 1, Map.of("anonymousId", "fg-anon"))))));
    JsonNode ann = read("/v1/profiles/any?identity=anonymousId:fg-anon");
    assertEquals("fg-ann", ann.get("userId").asText(), ann.toString());
    assertEquals(List.of("fg-anon"), strings(ann.at("/identities/anonymousId")), ann.toString());
    assertEquals(2, ann.get("eventCount").asLong(), ann.toString());
  }

  /** Forgetting through a linked identity erases the whole person, and the answer says so: the canonical id and every identity. */
  @Test
  void aForgetThroughAnAliasNamesTheProfileAndIdentitiesItErased() throws Exception {
    assertAccepted(post("/v1/events", events("fa-", 2, Map.of("userId", "fa-ann", "anonymousId", "fa-anon"))));
    HttpResponse<String> forget = node.send("DELETE", "/v1/profiles/" + path("~anonymousId:fa-anon"), "");
    assertEquals(200, forget.statusCode(), forget.body());
    JsonNode answer = Json.MAPPER.readTree(forget.body());
    assertEquals("fa-ann", answer.get("userId").asText(), answer.toString());
    assertEquals(List.of("fa-anon"), strings(answer.at("/identities/anonymousId")), answer.toString());
    assertEquals(List.of("fa-ann"), strings(answer.at("/identities/userId")), answer.toString());
    assertEquals(404, node.get("/v1/profiles/fa-ann").statusCode(), "the customer is forgotten too");
  }

  @Test
  void anUnmergeThatNamesAnIdentityNotLinkedChangesNothingAndNamesIt() throws Exception {
    ok(post("/v1/identify", "{\"userId\":\"pu-ann\",\"anonymousId\":\"pu-anon\",\"identities\":{\"device\":\"pu-dev\"}}"));
    HttpResponse<String> r = post("/v1/profiles/pu-ann/unmerge", "{\"anonymousId\":\"pu-anon\",\"identities\":{\"device\":\"pu-other\"}}");
    assertEquals(404, r.statusCode(), r.body());
    assertEquals("identities.device", Json.MAPPER.readTree(r.body()).get("field").asText(), r.body());
    // Nothing was split: the anonymous id named first is still linked.
    JsonNode linked = ok(post("/v1/identify", "{\"userId\":\"pu-ann\"}"));
    assertEquals(List.of("pu-anon"), strings(linked.at("/identities/anonymousId")), linked.toString());
    assertEquals(List.of("pu-dev"), strings(linked.at("/identities/device")), linked.toString());

    // The canonical identity of a profile without a user id: refused naming the field it was sent in.
    ok(post("/v1/identify", "{\"anonymousId\":\"pc-anon\",\"identities\":{\"device\":\"pc-dev\"}}"));
    HttpResponse<String> canonical = post("/v1/profiles/" + path("~device:pc-dev") + "/unmerge", "{\"anonymousId\":\"pc-anon\"}");
    assertEquals(400, canonical.statusCode(), canonical.body());
    assertEquals("anonymousId", Json.MAPPER.readTree(canonical.body()).get("field").asText(), canonical.body());
  }

  /** Each unmerge remembers the identity it split off; a profile remembers at most 4 x max-identities of them. */
  @Test
  void aProfileRemembersABoundedNumberOfSplitOffIdentities(@org.junit.jupiter.api.io.TempDir Path own) throws Exception {
    try (TestNode small = TestNode.start(own, java.util.Map.of("profile.identity.max-identities", 3))) {
      for (int i = 0; i < 12; i++) {
        assertEquals(200, small.send("POST", "/v1/identify", "{\"userId\":\"bl-ann\",\"anonymousId\":\"bl-" + i + "\"}").statusCode());
        assertEquals(200, small.send("POST", "/v1/profiles/bl-ann/unmerge", "{\"anonymousId\":\"bl-" + i + "\"}").statusCode());
      }
      assertEquals(200, small.send("POST", "/v1/identify", "{\"userId\":\"bl-ann\",\"anonymousId\":\"bl-12\"}").statusCode());
      HttpResponse<String> full = small.send("POST", "/v1/profiles/bl-ann/unmerge", "{\"anonymousId\":\"bl-12\"}");
      assertEquals(400, full.statusCode(), full.body());
      assertEquals("anonymousId", Json.MAPPER.readTree(full.body()).get("field").asText(), full.body());
      assertTrue(full.body().contains("12 split-off identities"), full.body());
      // Linking one back deliberately frees its place: the unmerge goes through.
      assertEquals(200, small.send("POST", "/v1/identify", "{\"userId\":\"bl-ann\",\"anonymousId\":\"bl-0\"}").statusCode());
      assertEquals(200, small.send("POST", "/v1/profiles/bl-ann/unmerge", "{\"anonymousId\":\"bl-12\"}").statusCode());
    }
  }

  // ---- gRPC ----

  @Test
  void overGrpcIdentifyReadByIdentityAndUnmerge() throws Exception {
    List<Event> events = new ArrayList<>();
    for (int i = 0; i < 2; i++) events.add(grpcEvent("ga-" + i).setAnonymousId("g-anon-1").build());
    for (int i = 0; i < 3; i++) events.add(grpcEvent("gu-" + i).setUserId("g-cy").build());
    var reply = get(grpc.ingestEvents(IngestRequest.newBuilder().addAllEvents(events).build()));
    assertEquals(5, reply.getAccepted(), reply.toString());
    // The streaming path decodes identities the same way: this event links a device to g-cy.
    List<EventResult> streamed = get(grpc.streamEvents(Source.single(grpcEvent("gs-0").setUserId("g-cy").putIdentities("device", "g-dev").build()))
        .runWith(Sink.seq(), node.node.system()));
    assertEquals("accepted", streamed.get(0).getStatus(), streamed.toString());

    LinkedIdentities linked = get(grpc.identify(IdentifyRequest.newBuilder().setUserId("g-cy").setAnonymousId("g-anon-1")
        .putIdentities("email", "cy@example.com").build()));
    assertEquals("g-cy", linked.getUserId());
    assertEquals(List.of("g-anon-1"), linked.getIdentitiesOrThrow("anonymousId").getValuesList());
    assertEquals(List.of("g-dev"), linked.getIdentitiesOrThrow("device").getValuesList());

    for (GetProfileRequest by : List.of(GetProfileRequest.newBuilder().setUserId("g-cy").build(),
        GetProfileRequest.newBuilder().setIdentity("anonymousId:g-anon-1").build(),
        GetProfileRequest.newBuilder().setIdentity("email:cy@example.com").build(),
        GetProfileRequest.newBuilder().setUserId("~anonymousId:g-anon-1").build())) {
      Profile p = get(grpc.getProfile(by));
      assertEquals("g-cy", p.getUserId(), by.toString());
      assertEquals(6, p.getEventCount(), by.toString());
      assertEquals(linked.getIdentitiesMap(), p.getIdentitiesMap(), by.toString());
      assertTrue(Json.MAPPER.readTree(p.getProfileJson()).has("identities"));
    }

    assertEquals(Status.Code.FAILED_PRECONDITION, code(grpc.identify(IdentifyRequest.newBuilder().setUserId("g-cy")
        .putIdentities("email", "other@example.com").build())));
    assertEquals(Status.Code.INVALID_ARGUMENT, code(grpc.identify(IdentifyRequest.newBuilder().putIdentities("shoeSize", "9").build())));
    assertEquals(Status.Code.INVALID_ARGUMENT, code(grpc.identify(IdentifyRequest.newBuilder().setUserId("~device:x").build())));
    assertEquals(Status.Code.INVALID_ARGUMENT, code(grpc.getProfile(GetProfileRequest.newBuilder().setIdentity("nocolon").build())));
    assertEquals(Status.Code.INVALID_ARGUMENT, code(grpc.getProfile(GetProfileRequest.newBuilder().setIdentity("shoeSize:9").build())));
    assertEquals(Status.Code.INVALID_ARGUMENT, code(grpc.getProfile(GetProfileRequest.newBuilder().setIdentity("x\u0001" + "y".repeat(2_000) + ":9").build())));
    assertEquals(Status.Code.NOT_FOUND, code(grpc.unmerge(UnmergeRequest.newBuilder().setProfileId("g-cy").setAnonymousId("g-anon-never").build())));

    LinkedIdentities after = get(grpc.unmerge(UnmergeRequest.newBuilder().setProfileId("g-cy").setAnonymousId("g-anon-1").build()));
    assertEquals("g-cy", after.getUserId());
    assertTrue(!after.getIdentitiesMap().containsKey("anonymousId"), after.toString());
    assertEquals(4, get(grpc.getProfile(GetProfileRequest.newBuilder().setUserId("g-cy").build())).getEventCount());
    Profile anon = get(grpc.getProfile(GetProfileRequest.newBuilder().setIdentity("anonymousId:g-anon-1").build()));
    assertEquals("~anonymousId:g-anon-1", anon.getUserId());
    assertEquals(2, anon.getEventCount());

    var bad = get(grpc.ingestEvents(IngestRequest.newBuilder().addEvents(grpcEvent("gb-1").setUserId("g-cy").putIdentities("shoeSize", "9").build())
        .addEvents(grpcEvent("gb-2").setUserId("~anonymousId:g-anon-1").build()).build()));
    assertEquals(List.of("identities.shoeSize", "userId"), reply(bad.getResultsList()));
  }

  // ---- helpers ----

  private static List<String> reply(List<EventResult> results) {
    results.forEach(r -> assertEquals("rejected", r.getStatus(), r.toString()));
    return results.stream().map(EventResult::getField).toList();
  }

  private static Event.Builder grpcEvent(String id) {
    return Event.newBuilder().setEventId(id).setType("view").setTimestampMs(clock.incrementAndGet()).setCategoryId("c1");
  }

  private static <T> T get(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static Status.Code code(CompletionStage<?> stage) throws Exception {
    try {
      stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
      return Status.Code.OK;
    } catch (ExecutionException e) {
      return TestGrpc.status(e).getCode();
    }
  }

  private static Map<String, Object> event(String id, long at, Map<String, Object> who) {
    Map<String, Object> e = new LinkedHashMap<>(Map.of("eventId", id, "type", "view", "timestamp", at, "categoryId", "c1"));
    e.putAll(who);
    return e;
  }

  private static String events(String prefix, int n, Map<String, Object> who) throws Exception {
    List<Map<String, Object>> list = new ArrayList<>();
    for (int i = 0; i < n; i++) list.add(event(prefix + i, clock.incrementAndGet(), who));
    return Json.MAPPER.writeValueAsString(list);
  }

  private static HttpResponse<String> post(String path, String body) throws Exception {
    return node.send("POST", path, body);
  }

  private static void assertAccepted(HttpResponse<String> r) throws Exception {
    assertEquals(200, r.statusCode(), r.body());
    JsonNode j = Json.MAPPER.readTree(r.body());
    assertEquals(0, j.get("rejected").asLong(), r.body());
  }

  /** The fields each event but the first (accepted) was rejected for, in order. */
  private static List<String> rejectedAfterTheFirst(HttpResponse<String> r) throws Exception {
    JsonNode results = Json.MAPPER.readTree(r.body()).get("results");
    assertEquals("accepted", results.get(0).get("status").asText(), results.toString());
    List<String> fields = new ArrayList<>();
    for (int i = 1; i < results.size(); i++) {
      assertEquals("rejected", results.get(i).get("status").asText(), results.get(i).toString());
      fields.add(results.get(i).get("field").asText());
    }
    return fields;
  }

  private static JsonNode ok(HttpResponse<String> r) throws Exception {
    assertEquals(200, r.statusCode(), r.body());
    return Json.MAPPER.readTree(r.body());
  }

  private static JsonNode read(String path) throws Exception {
    return ok(node.get(path));
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(v -> out.add(v.asText()));
    return out;
  }

  private static String path(String key) {
    return URLEncoder.encode(key, StandardCharsets.UTF_8);
  }

  private static String query(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static String shown(String s) {
    return s.length() > 120 ? s.substring(0, 120) + "..." : s;
  }
}
