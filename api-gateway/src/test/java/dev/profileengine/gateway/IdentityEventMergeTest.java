package dev.profileengine.gateway;

import static dev.profileengine.gateway.IdentityUnmergeBlockTest.CONFIG;
import static dev.profileengine.gateway.IdentityUnmergeBlockTest.get;
import static dev.profileengine.gateway.IdentityUnmergeBlockTest.history;
import static dev.profileengine.gateway.IdentityUnmergeBlockTest.send;
import static dev.profileengine.gateway.IdentityUnmergeBlockTest.view;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import dev.profileengine.data.BehaviorRow;
import dev.profileengine.engine.UserProfile;
import dev.profileengine.engine.UserProfile.LinkReply;
import dev.profileengine.engine.profiles.DecodedEvent;
import dev.profileengine.engine.profiles.Profiles;
import dev.profileengine.profile.BehaviorEvent;
import dev.profileengine.profile.EventResult;
import dev.profileengine.profile.Identity;
import dev.profileengine.profile.ProfileView;
import dev.profileengine.profile.identity.IdentityClaim;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A merge started by an event's identities answers once it is journaled as started and finishes by
 * itself: the events are stored either way, and a read through the merging identity waits for the
 * merge, so it sees the whole history. Checked on a real user's history split between an anonymous
 * id and the customer id it is identified with, field by field against the same rows under one id.
 */
class IdentityEventMergeTest {
  @TempDir
  Path dataDir;

  private static final Duration ASK = Duration.ofSeconds(30);
  private static final String CUSTOMER = "em-cust";
  private static final String TABLET_ID = "em-tablet";
  private static final String TABLET = Identity.anonymousId(TABLET_ID).key();

  @Test
  void eventsThatStartAMergeAreAnsweredAndTheMergeEndsWithEveryEventOnce() throws Exception {
    List<BehaviorRow> rows = history();
    int half = rows.size() / 2;
    try (TestNode node = TestNode.start(dataDir, CONFIG)) {
      Profiles profiles = node.node.engine().profiles();
      send(profiles, "em-ref-all", rows);
      send(profiles, TABLET, rows.subList(0, half));
      // Identified from here on: each batch carries the customer id and the tablet's anonymous id.
      sendIdentified(profiles, rows.subList(half, rows.size()));
      ProfileView throughTablet = view(profiles, TABLET);
      assertEquals(CUSTOMER, throughTablet.userId(), "the tablet forwards to the customer");
      IdentityMergeTest.assertSameProfile(view(profiles, "em-ref-all"), throughTablet, "read through the merged identity");
      IdentityMergeTest.assertSameProfile(view(profiles, "em-ref-all"), view(profiles, CUSTOMER), "the customer");
      assertEquals(List.of(TABLET_ID), view(profiles, CUSTOMER).identities().get("anonymousId"));
      // The first batch's merge was only started: the second batch asks again (and finds one
      // profile), so a merge cancelled by a race is never remembered as made; later batches find it cached.
      int batches = (rows.size() - half + 9) / 10;
      List<String> links = node.get("/metrics").body().lines().filter(l -> l.startsWith("profile_identity_links_total{")).toList();
      assertEquals(batches - 2, counted(links, "cached"), links.toString());
    }
  }

  /**
   * A phone flushes the events it queued while anonymous together with the newer ones it sends
   * after the login, in one batch, its anonymous id already linked to the customer: the queued
   * events are written first (batch order), so none is too late for the merged profile, whose
   * newest events are hours after them.
   */
  @Test
  void aBatchOfAnonymousEventsThenIdentifiedOnesKeepsItsOrderAcrossTheLinkedIds() throws Exception {
    List<BehaviorRow> rows = history();
    int half = rows.size() / 2;
    assertTrue(rows.get(rows.size() - 1).epochSecond() - rows.get(half - 1).epochSecond() > 3600, "the later half ends hours after the first");
    try (TestNode node = TestNode.start(dataDir, CONFIG)) {
      Profiles profiles = node.node.engine().profiles();
      send(profiles, "em-ref-all", rows);
      sendIdentified(profiles, rows.subList(0, 1));
      List<DecodedEvent> batch = new java.util.ArrayList<>();
      for (BehaviorRow r : rows.subList(1, half)) batch.add(DecodedEvent.of(event(r, TABLET)));
      for (BehaviorRow r : rows.subList(half, rows.size())) batch.add(DecodedEvent.linking(event(r, CUSTOMER), new IdentityClaim(CUSTOMER, TABLET_ID, null)));
      for (EventResult r : get(profiles.record(batch)).results()) assertEquals(EventResult.ACCEPTED, r.status(), r.toString());
      IdentityMergeTest.assertSameProfile(view(profiles, "em-ref-all"), view(profiles, CUSTOMER), "the customer");
    }
  }

  /**
   * When the first write of such a batch is not confirmed in time (an ask timeout of 1 ms here),
   * the identified events after it are not sent (written first, they could make its retry too
   * late): they answer unconfirmed, nothing stays in flight, and the batch sent again leaves every
   * event stored once.
   */
  @Test
  void anUnconfirmedAnonymousRunLeavesTheIdentifiedRunAfterItUnsent() throws Exception {
    List<BehaviorRow> rows = history();
    int half = rows.size() / 2;
    java.util.Map<String, Object> config = new java.util.HashMap<>(CONFIG);
    config.put("profile.ask-timeout", "1ms");
    List<DecodedEvent> batch = new java.util.ArrayList<>();
    for (BehaviorRow r : rows.subList(0, half)) batch.add(DecodedEvent.of(event(r, TABLET)));
    for (BehaviorRow r : rows.subList(half, rows.size())) batch.add(DecodedEvent.linking(event(r, CUSTOMER), new IdentityClaim(CUSTOMER, TABLET_ID, null)));
    try (TestNode node = TestNode.start(dataDir, config)) {
      List<EventResult> results = get(node.node.engine().profiles().record(batch)).results();
      for (EventResult r : results) assertEquals(EventResult.UNCONFIRMED, r.status(), r.toString());
      for (EventResult r : results.subList(half, results.size())) assertTrue(r.reason().startsWith("not sent"), r.toString());
      String inFlight = node.get("/metrics").body().lines().filter(l -> l.startsWith("profile_admission_in_flight{kind=\"events\"}")).findFirst().orElseThrow();
      assertEquals("profile_admission_in_flight{kind=\"events\"} 0.0", inFlight);
    }
    try (TestNode node = TestNode.start(dataDir, CONFIG)) {
      Profiles profiles = node.node.engine().profiles();
      List<EventResult> again = get(profiles.record(batch)).results();
      // The timed-out run may have been stored before the node stopped: sent again, its events are
      // then duplicates, or too late for the exactly-once memory (it keeps ids over the allowed
      // lateness only); else they are stored now. The run never sent is stored now.
      for (EventResult r : again.subList(0, half))
        assertTrue(r.status().equals(EventResult.ACCEPTED) || r.status().equals(EventResult.DUPLICATE) || "too_late".equals(r.reason()), r.toString());
      for (EventResult r : again.subList(half, again.size())) assertEquals(EventResult.ACCEPTED, r.status(), r.toString());
      send(profiles, "em-ref-all", rows);
      // A read through the tablet waits for its merge (the batch only waited for it to start).
      IdentityMergeTest.assertSameProfile(view(profiles, "em-ref-all"), view(profiles, TABLET), "through the tablet after the batch is sent again");
      IdentityMergeTest.assertSameProfile(view(profiles, "em-ref-all"), view(profiles, CUSTOMER), "the customer after the batch is sent again");
    }
  }

  /** The sum of the {@code outcome} lines of {@code profile_identity_links_total}. */
  private static long counted(List<String> links, String outcome) {
    return links.stream().filter(l -> l.contains("outcome=\"" + outcome + "\""))
        .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  @Test
  void aMergeAnsweredWhenStartedGoesOnByItself() throws Exception {
    List<BehaviorRow> rows = history();
    int half = rows.size() / 2;
    try (TestNode node = TestNode.start(dataDir, CONFIG)) {
      Profiles profiles = node.node.engine().profiles();
      send(profiles, "em-ref-all", rows);
      send(profiles, CUSTOMER, rows.subList(half, rows.size()));
      send(profiles, TABLET, rows.subList(0, half));
      EntityRef<UserProfile.Command> tablet = ClusterSharding.get(node.node.system()).entityRefFor(UserProfile.ENTITY_KEY, TABLET);
      LinkReply started = get(tablet.<LinkReply>ask(r -> new UserProfile.MergeInto(CUSTOMER, true, r), ASK));
      assertEquals(LinkReply.Status.IN_PROGRESS, started.status(), started.toString());
      assertEquals(CUSTOMER, started.canonical());
      // Not read from the state the tablet had: its entity answers once the merge ended.
      IdentityMergeTest.assertSameProfile(view(profiles, "em-ref-all"), view(profiles, TABLET), "read through the tablet");
      IdentityMergeTest.assertSameProfile(view(profiles, "em-ref-all"), view(profiles, CUSTOMER), "the customer");
      LinkReply again = get(tablet.<LinkReply>ask(r -> new UserProfile.MergeInto(CUSTOMER, true, r), ASK));
      assertEquals(new LinkReply(LinkReply.Status.MOVED, CUSTOMER, null, null), again, "merged: a repeat finds it moved");
    }
  }

  @Test
  void anIdentityFirstSeenInItsLinkLeavesTheCustomersHistoryAsItIs() throws Exception {
    List<BehaviorRow> rows = history();
    int half = rows.size() / 2;
    try (TestNode node = TestNode.start(dataDir, CONFIG)) {
      Profiles profiles = node.node.engine().profiles();
      send(profiles, "em-ref-all", rows);
      send(profiles, CUSTOMER, rows.subList(0, half));
      // The tablet has never sent anything: it brings no entries, the customer's stay as they are.
      sendIdentified(profiles, rows.subList(half, rows.size()));
      ProfileView throughTablet = view(profiles, TABLET);
      assertEquals(CUSTOMER, throughTablet.userId());
      assertEquals(List.of(TABLET_ID), throughTablet.identities().get("anonymousId"));
      IdentityMergeTest.assertSameProfile(view(profiles, "em-ref-all"), throughTablet, "read through the tablet");
      // Split off again, the customer keeps every event it had: the merge journaled none of them.
      get(profiles.unmerge(CUSTOMER, new IdentityClaim(null, TABLET_ID, null)));
      IdentityMergeTest.assertSameProfile(view(profiles, "em-ref-all"), view(profiles, CUSTOMER), "the customer after the unmerge");
      assertEquals(null, view(profiles, CUSTOMER).identities().get("anonymousId"));
    }
  }

  private static BehaviorEvent event(BehaviorRow r, String key) {
    return BehaviorEvent.of(r.eventId(), key, r.type(), Instant.ofEpochSecond(r.epochSecond()))
        .withCategory(r.itemId(), r.categoryId()).withPurchase(r.brand(), r.price(), null);
  }

  /** Sends {@code rows} under the customer id in batches of 10, each event also carrying the tablet's anonymous id; every one accepted. */
  private static void sendIdentified(Profiles profiles, List<BehaviorRow> rows) throws Exception {
    for (int i = 0; i < rows.size(); i += 10) {
      List<DecodedEvent> batch = rows.subList(i, Math.min(rows.size(), i + 10)).stream()
          .map(r -> DecodedEvent.linking(event(r, CUSTOMER), new IdentityClaim(CUSTOMER, TABLET_ID, null))).toList();
      for (EventResult r : get(profiles.record(batch)).results()) assertEquals(EventResult.ACCEPTED, r.status(), r.toString());
    }
  }
}
