package dev.profileengine.gateway;

import static dev.profileengine.gateway.IdentityUnmergeBlockTest.BLOCKED;
import static dev.profileengine.gateway.IdentityUnmergeBlockTest.CONFIG;
import static dev.profileengine.gateway.IdentityUnmergeBlockTest.get;
import static dev.profileengine.gateway.IdentityUnmergeBlockTest.grpcEvent;
import static dev.profileengine.gateway.IdentityUnmergeBlockTest.history;
import static dev.profileengine.gateway.IdentityUnmergeBlockTest.httpEvent;
import static dev.profileengine.gateway.IdentityUnmergeBlockTest.ok;
import static dev.profileengine.gateway.IdentityUnmergeBlockTest.send;
import static dev.profileengine.gateway.IdentityUnmergeBlockTest.view;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import com.fasterxml.jackson.databind.JsonNode;
import dev.profileengine.data.BehaviorRow;
import dev.profileengine.engine.UserProfile;
import dev.profileengine.engine.profiles.Profiles;
import dev.profileengine.gateway.wire.Json;
import dev.profileengine.grpc.Event;
import dev.profileengine.grpc.IdentifyRequest;
import dev.profileengine.grpc.IngestReply;
import dev.profileengine.grpc.IngestRequest;
import dev.profileengine.grpc.LinkedIdentities;
import dev.profileengine.grpc.ProfileServiceClient;
import dev.profileengine.grpc.UnmergeRequest;
import dev.profileengine.profile.Identity;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unmerge blocks pass on with a merge: a real user's history is split over a laptop (anonymous id),
 * a tablet (device id) and a customer id. The tablet is identified with the laptop and unmerged
 * again (each blocks the other); then the laptop is identified with the customer and the tablet with
 * a phone, so neither side of the unmerge is canonical any more. Each canonical profile holds the
 * block of the profile merged into it, so events naming the customer and the phone (HTTP, and gRPC
 * after a restart on the same data directory) are stored apart. An unmerge of the laptop from the
 * customer gives the laptop its block back and leaves the customer with its own; an explicit
 * identify of the laptop and the tablet lifts it. Every profile is compared field by field with the
 * profile of its own rows.
 */
class IdentityBlockInheritanceTest {
  @TempDir
  Path dataDir;

  private static final String CUSTOMER = "bi-cust";
  private static final String LAPTOP_ID = "bi-laptop";
  private static final String LAPTOP = Identity.anonymousId(LAPTOP_ID).key();
  private static final String PHONE_ID = "bi-phone";
  private static final String PHONE = Identity.anonymousId(PHONE_ID).key();
  private static final String TABLET_ID = "bi-tablet";
  private static final String TABLET = new Identity("device", TABLET_ID).key();
  private static final String REF_CUSTOMER = "bi-ref-cust";
  private static final String REF_LAPTOP = "bi-ref-laptop";
  private static final String REF_TABLET = "bi-ref-tablet";
  private static final String REF_CUSTOMER_LAPTOP = "bi-ref-cust-laptop";
  private static final String REF_LAPTOP_TABLET = "bi-ref-laptop-tablet";

  @Test
  void blocksPassOnWithAMergeAndComeBackWithAnUnmerge() throws Exception {
    List<BehaviorRow> rows = history();
    List<BehaviorRow> customerRows = new ArrayList<>();
    List<BehaviorRow> laptopRows = new ArrayList<>();
    List<BehaviorRow> tabletRows = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) (i % 3 == 0 ? customerRows : i % 3 == 1 ? laptopRows : tabletRows).add(rows.get(i));
    long last = rows.get(rows.size() - 1).epochSecond();

    try (TestNode node = TestNode.start(dataDir, CONFIG)) {
      Profiles profiles = node.node.engine().profiles();
      send(profiles, CUSTOMER, customerRows);
      send(profiles, LAPTOP, laptopRows);
      send(profiles, TABLET, tabletRows);
      send(profiles, REF_CUSTOMER, customerRows);
      send(profiles, REF_LAPTOP, laptopRows);
      send(profiles, REF_TABLET, tabletRows);
      send(profiles, REF_CUSTOMER_LAPTOP, concat(customerRows, laptopRows));
      send(profiles, REF_LAPTOP_TABLET, concat(laptopRows, tabletRows));

      // The tablet joins the laptop and is split off again: each side blocks the other.
      ok(node.send("POST", "/v1/identify", "{\"anonymousId\":\"" + LAPTOP_ID + "\",\"identities\":{\"device\":\"" + TABLET_ID + "\"}}"));
      ok(node.send("POST", "/v1/profiles/" + LAPTOP + "/unmerge", "{\"identities\":{\"device\":\"" + TABLET_ID + "\"}}"));
      assertEquals(List.of(TABLET), blocked(node, LAPTOP));
      assertEquals(List.of(LAPTOP), blocked(node, TABLET));

      // Both sides merge into third profiles, which take their blocks over.
      JsonNode customer = ok(node.send("POST", "/v1/identify", "{\"userId\":\"" + CUSTOMER + "\",\"anonymousId\":\"" + LAPTOP_ID + "\"}"));
      assertEquals(CUSTOMER, customer.get("userId").asText());
      JsonNode phone = ok(node.send("POST", "/v1/identify", "{\"anonymousId\":\"" + PHONE_ID + "\",\"identities\":{\"device\":\"" + TABLET_ID + "\"}}"));
      assertEquals(PHONE, phone.get("userId").asText());
      assertEquals(List.of(TABLET), blocked(node, CUSTOMER), "the customer holds the laptop's block");
      assertEquals(List.of(LAPTOP), blocked(node, PHONE), "the phone holds the tablet's block");
      assertMerged(profiles, "after both merged into third profiles");

      // The customer's phone sends events naming both: each is stored under the customer, not linked.
      double blockedBefore = node.metric(BLOCKED);
      for (Map<String, Object> late : List.of(httpEvent("bi-late-1", last + 1, "cart"), httpEvent("bi-late-2", last + 2, "view"))) {
        late.put("userId", CUSTOMER);
        if (late.get("eventId").equals("bi-late-1")) late.put("anonymousId", PHONE_ID);
        else late.put("identities", Map.of("device", TABLET_ID));
        JsonNode result = ok(node.send("POST", "/v1/events", Json.MAPPER.writeValueAsString(List.of(late)))).get("results").get(0);
        assertEquals("accepted", result.get("status").asText(), result.toString());
        assertTrue(result.get("detail").asText().startsWith("stored under its own identity, identities not linked:"), result.toString());
        late.remove("anonymousId");
        late.remove("identities");
        for (String ref : List.of(REF_CUSTOMER, REF_CUSTOMER_LAPTOP)) {
          late.put("userId", ref);
          assertEquals("accepted", ok(node.send("POST", "/v1/events", Json.MAPPER.writeValueAsString(List.of(late)))).at("/results/0/status").asText());
        }
      }
      assertEquals(blockedBefore + 2, node.metric(BLOCKED), "both counted as blocked");
      assertMerged(profiles, "after events naming both over HTTP");
    }

    // A new node on the same data directory: the inherited blocks were journaled with the merges.
    try (TestNode node = TestNode.start(dataDir, CONFIG)) {
      Profiles profiles = node.node.engine().profiles();
      ProfileServiceClient grpc = TestGrpc.client(node, null);
      try {
        assertEquals(List.of(TABLET), blocked(node, CUSTOMER), "recovered");
        assertEquals(List.of(LAPTOP), blocked(node, PHONE), "recovered");
        Event.Builder late = grpcEvent("bi-late-3", last + 3);
        IngestReply reply = get(grpc.ingestEvents(IngestRequest.newBuilder().addEvents(late.clone().setUserId(CUSTOMER).setAnonymousId(PHONE_ID)).build()));
        assertEquals(1, reply.getAccepted(), reply.toString());
        assertTrue(reply.getResults(0).getDetail().startsWith("stored under its own identity, identities not linked:"), reply.toString());
        for (String ref : List.of(REF_CUSTOMER, REF_CUSTOMER_LAPTOP))
          assertEquals(1, get(grpc.ingestEvents(IngestRequest.newBuilder().addEvents(late.clone().setUserId(ref)).build())).getAccepted());
        assertMerged(profiles, "after a restart and an event naming both over gRPC");
        assertEquals(1, node.metric(BLOCKED), "counted on the new node");

        // The laptop is split off the customer: it takes its block back, the customer keeps only its own.
        LinkedIdentities after = get(grpc.unmerge(UnmergeRequest.newBuilder().setProfileId(CUSTOMER).setAnonymousId(LAPTOP_ID).build()));
        assertEquals(CUSTOMER, after.getUserId());
        assertEquals(List.of(LAPTOP), blocked(node, CUSTOMER), "the customer blocks the laptop it split off, nothing else");
        assertEquals(List.of(CUSTOMER, TABLET), blocked(node, LAPTOP), "the laptop blocks the customer and, again, the tablet");
        IdentityMergeTest.assertSameProfile(view(profiles, REF_CUSTOMER), view(profiles, CUSTOMER), "customer after the unmerge");
        IdentityMergeTest.assertSameProfile(view(profiles, REF_LAPTOP), view(profiles, LAPTOP), "laptop after the unmerge");

        // Its block holds as before: the laptop naming the tablet is stored under the laptop.
        Event.Builder fourth = grpcEvent("bi-late-4", last + 4);
        reply = get(grpc.ingestEvents(IngestRequest.newBuilder().addEvents(fourth.clone().setAnonymousId(LAPTOP_ID).putIdentities("device", TABLET_ID)).build()));
        assertEquals(1, reply.getAccepted(), reply.toString());
        assertTrue(reply.getResults(0).getDetail().startsWith("stored under its own identity, identities not linked:"), reply.toString());
        assertEquals(2, node.metric(BLOCKED));
        for (String ref : List.of(REF_LAPTOP, REF_LAPTOP_TABLET))
          assertEquals(1, get(grpc.ingestEvents(IngestRequest.newBuilder().addEvents(fourth.clone().setUserId(ref)).build())).getAccepted());
        IdentityMergeTest.assertSameProfile(view(profiles, REF_LAPTOP), view(profiles, LAPTOP), "laptop after an event naming the tablet");

        // An explicit identify is the deliberate link: the phone (with the tablet) joins the laptop, the block is lifted.
        LinkedIdentities linked = get(grpc.identify(IdentifyRequest.newBuilder().setAnonymousId(LAPTOP_ID).putIdentities("device", TABLET_ID).build()));
        assertEquals(LAPTOP, linked.getUserId());
        assertEquals(List.of(CUSTOMER), blocked(node, LAPTOP), "the tablet's block is lifted, the phone's on the laptop dropped");
        IdentityMergeTest.assertSameProfile(view(profiles, REF_LAPTOP_TABLET), view(profiles, LAPTOP), "laptop and tablet identified");
        Event.Builder fifth = grpcEvent("bi-late-5", last + 5);
        reply = get(grpc.ingestEvents(IngestRequest.newBuilder().addEvents(fifth.clone().setAnonymousId(LAPTOP_ID).putIdentities("device", TABLET_ID)).build()));
        assertEquals(1, reply.getAccepted(), reply.toString());
        assertEquals("", reply.getResults(0).getDetail(), reply.toString());
        assertEquals(2, node.metric(BLOCKED), "not blocked any more");
      } finally {
        grpc.close();
      }
    }
  }

  /** The customer holds its and the laptop's rows, the phone the tablet's; events sent under the customer since. */
  private static void assertMerged(Profiles profiles, String when) throws Exception {
    IdentityMergeTest.assertSameProfile(view(profiles, REF_CUSTOMER_LAPTOP), view(profiles, CUSTOMER), "customer " + when);
    IdentityMergeTest.assertSameProfile(view(profiles, REF_TABLET), view(profiles, PHONE), "phone " + when);
    assertEquals(view(profiles, CUSTOMER), view(profiles, LAPTOP), "read through the laptop " + when);
    assertEquals(view(profiles, PHONE), view(profiles, TABLET), "read through the tablet " + when);
  }

  /** The identity keys the canonical profile of {@code key} blocks, as the identity graph reads them. */
  private static List<String> blocked(TestNode node, String key) throws Exception {
    UserProfile.Resolution r = get(ClusterSharding.get(node.node.system()).entityRefFor(UserProfile.ENTITY_KEY, key)
        .ask(UserProfile.Resolve::new, Duration.ofSeconds(10)));
    return r.blocked();
  }

  private static List<BehaviorRow> concat(List<BehaviorRow> a, List<BehaviorRow> b) {
    List<BehaviorRow> all = new ArrayList<>(a);
    all.addAll(b);
    all.sort(java.util.Comparator.comparingLong(BehaviorRow::epochSecond).thenComparing(BehaviorRow::eventId));
    return all;
  }
}
