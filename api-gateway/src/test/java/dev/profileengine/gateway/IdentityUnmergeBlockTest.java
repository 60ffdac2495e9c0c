package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profileengine.data.BehaviorRow;
import dev.profileengine.data.SampleFiles;
import dev.profileengine.data.TaobaoCsv;
import dev.profileengine.engine.profiles.DecodedEvent;
import dev.profileengine.engine.profiles.Outcome;
import dev.profileengine.engine.profiles.Profiles;
import dev.profileengine.engine.profiles.Recorded;
import dev.profileengine.gateway.wire.Json;
import dev.profileengine.grpc.Event;
import dev.profileengine.grpc.IdentifyRequest;
import dev.profileengine.grpc.IngestRequest;
import dev.profileengine.grpc.LinkedIdentities;
import dev.profileengine.grpc.ProfileServiceClient;
import dev.profileengine.grpc.UnmergeRequest;
import dev.profileengine.profile.BehaviorEvent;
import dev.profileengine.profile.EventResult;
import dev.profileengine.profile.Identity;
import dev.profileengine.profile.ProfileView;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An unmerge sticks: a real user's history is split over a customer id and a phone's anonymous id,
 * identified, then unmerged; the phone then sends events naming both ids again (HTTP, and gRPC
 * after a restart on the same data directory). Each is stored under the id it was sent for, the
 * profiles stay split (each equal, field by field, to the profile of its own rows), the event's
 * result says why and {@code profile_identity_links_total{outcome="blocked"}} counts it. An explicit
 * identify links them again and lifts the block; a second unmerge blocks again.
 */
class IdentityUnmergeBlockTest {
  @TempDir
  Path dataDir;

  // Snapshots every few rows: the restart recovers the block from a snapshot as well as from rows.
  static final Map<String, Object> CONFIG = Map.of("profile.model.enabled", "off", "profile.snapshot.every", 3,
      "profile.privacy.pii-salt", "identity-tests-salt-0123456789-abcdefghijk");
  static final String BLOCKED = "profile_identity_links_total{kind=\"identify\",outcome=\"blocked\"}";
  private static final String CUSTOMER = "ub-cust";
  private static final String PHONE_ID = "ub-phone";
  private static final String PHONE = Identity.anonymousId(PHONE_ID).key();
  private static final String REF_CUSTOMER = "ub-ref-cust";
  private static final String REF_PHONE = "ub-ref-phone";
  private static final String REF_ALL = "ub-ref-all";

  @Test
  void eventsNamingUnmergedIdentitiesAreStoredApartUntilAnExplicitIdentify() throws Exception {
    List<BehaviorRow> rows = history();
    List<BehaviorRow> customerRows = new ArrayList<>();
    List<BehaviorRow> phoneRows = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) (i % 2 == 0 ? customerRows : phoneRows).add(rows.get(i));
    long last = rows.get(rows.size() - 1).epochSecond();

    try (TestNode node = TestNode.start(dataDir, CONFIG)) {
      Profiles profiles = node.node.engine().profiles();
      send(profiles, CUSTOMER, customerRows);
      send(profiles, PHONE, phoneRows);
      send(profiles, REF_CUSTOMER, customerRows);
      send(profiles, REF_PHONE, phoneRows);
      send(profiles, REF_ALL, rows);

      JsonNode merged = ok(node.send("POST", "/v1/identify", "{\"userId\":\"" + CUSTOMER + "\",\"anonymousId\":\"" + PHONE_ID + "\"}"));
      assertEquals(CUSTOMER, merged.get("userId").asText());
      IdentityMergeTest.assertSameProfile(view(profiles, REF_ALL), view(profiles, CUSTOMER), "merged");
      ok(node.send("POST", "/v1/profiles/" + CUSTOMER + "/unmerge", "{\"anonymousId\":\"" + PHONE_ID + "\"}"));
      assertSplit(profiles, "after the unmerge");

      // The shared phone sends both ids again: stored under the user id, not linked, and said so.
      double blockedBefore = node.metric(BLOCKED);
      Map<String, Object> late = httpEvent("ub-late-1", last + 1, "cart");
      late.put("userId", CUSTOMER);
      late.put("anonymousId", PHONE_ID);
      JsonNode result = ok(node.send("POST", "/v1/events", Json.MAPPER.writeValueAsString(List.of(late)))).get("results").get(0);
      assertEquals("accepted", result.get("status").asText(), result.toString());
      assertTrue(result.get("detail").asText().startsWith("stored under its own identity, identities not linked: anonymousId was unmerged"),
          result.toString());
      assertTrue(result.get("detail").asText().contains("/v1/identify"), result.toString());
      assertFalse(result.has("field"), "not an error: " + result);
      for (String ref : List.of(REF_CUSTOMER, REF_ALL)) {
        late.put("userId", ref);
        late.remove("anonymousId");
        assertEquals("accepted", ok(node.send("POST", "/v1/events", Json.MAPPER.writeValueAsString(List.of(late)))).at("/results/0/status").asText());
      }
      assertSplit(profiles, "after an event naming both over HTTP");
      assertEquals(blockedBefore + 1, node.metric(BLOCKED), "counted as blocked");
    }

    // A new node on the same data directory: the block was journaled with the unmerge.
    try (TestNode node = TestNode.start(dataDir, CONFIG)) {
      Profiles profiles = node.node.engine().profiles();
      ProfileServiceClient grpc = TestGrpc.client(node, null);
      try {
        Event.Builder late = grpcEvent("ub-late-2", last + 2);
        var reply = get(grpc.ingestEvents(IngestRequest.newBuilder().addEvents(late.clone().setUserId(CUSTOMER).setAnonymousId(PHONE_ID)).build()));
        assertEquals(1, reply.getAccepted(), reply.toString());
        assertTrue(reply.getResults(0).getDetail().startsWith("stored under its own identity, identities not linked: anonymousId"), reply.toString());
        assertEquals("", reply.getResults(0).getField());
        for (String ref : List.of(REF_CUSTOMER, REF_ALL))
          assertEquals(1, get(grpc.ingestEvents(IngestRequest.newBuilder().addEvents(late.clone().setUserId(ref)).build())).getAccepted());
        assertSplit(profiles, "after a restart and an event naming both over gRPC");
        assertEquals(1, node.metric(BLOCKED), "counted on the new node");

        // The explicit identify is the deliberate decision: it links them again.
        LinkedIdentities linked = get(grpc.identify(IdentifyRequest.newBuilder().setUserId(CUSTOMER).setAnonymousId(PHONE_ID).build()));
        assertEquals(CUSTOMER, linked.getUserId());
        assertEquals(List.of(PHONE_ID), linked.getIdentitiesOrThrow("anonymousId").getValuesList());
        IdentityMergeTest.assertSameProfile(view(profiles, REF_ALL), view(profiles, CUSTOMER), "merged again by identify");
        assertEquals(view(profiles, CUSTOMER), view(profiles, PHONE), "read through the phone");

        // And the block is lifted: an event naming both is linked as any other.
        Event.Builder again = grpcEvent("ub-late-3", last + 3);
        reply = get(grpc.ingestEvents(IngestRequest.newBuilder().addEvents(again.clone().setUserId(CUSTOMER).setAnonymousId(PHONE_ID)).build()));
        assertEquals(1, reply.getAccepted(), reply.toString());
        assertEquals("", reply.getResults(0).getDetail(), reply.toString());
        get(grpc.ingestEvents(IngestRequest.newBuilder().addEvents(again.clone().setUserId(REF_ALL)).build()));
        IdentityMergeTest.assertSameProfile(view(profiles, REF_ALL), view(profiles, CUSTOMER), "an event naming both after identify");
        assertEquals(1, node.metric(BLOCKED), "not blocked any more");

        // A second unmerge blocks again (over gRPC this time).
        LinkedIdentities after = get(grpc.unmerge(UnmergeRequest.newBuilder().setProfileId(CUSTOMER).setAnonymousId(PHONE_ID).build()));
        assertFalse(after.getIdentitiesMap().containsKey("anonymousId"), after.toString());
        Map<String, Object> fourth = httpEvent("ub-late-4", last + 4, "view");
        fourth.put("userId", CUSTOMER);
        fourth.put("anonymousId", PHONE_ID);
        JsonNode r = ok(node.send("POST", "/v1/events", Json.MAPPER.writeValueAsString(List.of(fourth)))).get("results").get(0);
        assertEquals("accepted", r.get("status").asText());
        assertTrue(r.get("detail").asText().startsWith("stored under its own identity"), r.toString());
        assertEquals(2, node.metric(BLOCKED));
        ProfileView customer = view(profiles, CUSTOMER);
        assertNull(customer.identities().get("anonymousId"), customer.identities().toString());
        assertEquals(Map.of("anonymousId", List.of(PHONE_ID)), view(profiles, PHONE).identities());
        assertEquals(customerRows.size() + 4, customer.eventCount(), "the customer's rows and every event sent under its id (ub-late-3 came back with it)");
      } finally {
        grpc.close();
      }
    }
  }

  /** Both profiles hold exactly their own rows (and what was sent under their own ids since). */
  private static void assertSplit(Profiles profiles, String when) throws Exception {
    ProfileView customer = view(profiles, CUSTOMER);
    ProfileView phone = view(profiles, PHONE);
    assertEquals(CUSTOMER, customer.userId(), when);
    assertEquals(PHONE, phone.userId(), when);
    assertNull(customer.identities().get("anonymousId"), when + ": " + customer.identities());
    IdentityMergeTest.assertSameProfile(view(profiles, REF_CUSTOMER), customer, "customer " + when);
    IdentityMergeTest.assertSameProfile(view(profiles, REF_PHONE), phone, "phone " + when);
  }

  /** One real user with 30 to 400 rows, in (time, event id) order. */
  static List<BehaviorRow> history() throws Exception {
    Map<String, List<BehaviorRow>> byUser = new LinkedHashMap<>();
    for (BehaviorRow r : TaobaoCsv.read(SampleFiles.find(SampleFiles.USERS), bad -> {})) byUser.computeIfAbsent(r.userId(), k -> new ArrayList<>()).add(r);
    for (List<BehaviorRow> rows : byUser.values()) {
      if (rows.size() < 30 || rows.size() > 400) continue;
      rows.sort(Comparator.comparingLong(BehaviorRow::epochSecond).thenComparing(BehaviorRow::eventId));
      return rows;
    }
    throw new AssertionError("no user with 30 to 400 rows in " + SampleFiles.USERS);
  }

  static Map<String, Object> httpEvent(String id, long epochSecond, String type) {
    return new LinkedHashMap<>(Map.of("eventId", id, "type", type, "timestamp", epochSecond * 1000, "itemId", "i-late", "categoryId", "c-late"));
  }

  static Event.Builder grpcEvent(String id, long epochSecond) {
    return Event.newBuilder().setEventId(id).setType("view").setTimestampMs(epochSecond * 1000).setItemId("i-late").setCategoryId("c-late");
  }

  static void send(Profiles profiles, String key, List<BehaviorRow> rows) throws Exception {
    for (int i = 0; i < rows.size(); i += 50) {
      List<DecodedEvent> batch = rows.subList(i, Math.min(rows.size(), i + 50)).stream().map(r -> DecodedEvent.of(
          BehaviorEvent.of(r.eventId(), key, r.type(), Instant.ofEpochSecond(r.epochSecond()))
              .withCategory(r.itemId(), r.categoryId()).withPurchase(r.brand(), r.price(), null))).toList();
      Recorded recorded = profiles.record(batch).toCompletableFuture().get(30, TimeUnit.SECONDS);
      for (EventResult r : recorded.results()) assertEquals(EventResult.ACCEPTED, r.status(), r.toString());
    }
  }

  static ProfileView view(Profiles profiles, String key) throws Exception {
    Outcome<ProfileView> o = profiles.view(key, null).toCompletableFuture().get(30, TimeUnit.SECONDS);
    return (ProfileView) ((Outcome.Ok<?>) assertInstanceOf(Outcome.Ok.class, o, key + ": " + o)).value();
  }

  static JsonNode ok(HttpResponse<String> r) throws Exception {
    assertEquals(200, r.statusCode(), r.body());
    return Json.MAPPER.readTree(r.body());
  }

  static <T> T get(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /** A labelled sample of the node's /metrics (0 when absent). */
}
