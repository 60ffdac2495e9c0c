package dev.profileengine.gateway;

import static dev.profileengine.gateway.IdentityUnmergeBlockTest.CONFIG;
import static dev.profileengine.gateway.IdentityUnmergeBlockTest.get;
import static dev.profileengine.gateway.IdentityUnmergeBlockTest.history;
import static dev.profileengine.gateway.IdentityUnmergeBlockTest.send;
import static dev.profileengine.gateway.IdentityUnmergeBlockTest.view;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import dev.profileengine.data.BehaviorRow;
import dev.profileengine.engine.UserProfile;
import dev.profileengine.engine.UserProfile.LinkReply;
import dev.profileengine.engine.profiles.Outcome;
import dev.profileengine.engine.profiles.Profiles;
import dev.profileengine.profile.BehaviorEvent;
import dev.profileengine.profile.Identity;
import dev.profileengine.profile.ProfileView;
import dev.profileengine.profile.identity.IdentityClaim;
import dev.profileengine.profile.identity.LedgerEntry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The steps that hand entries from one profile to another ({@code Absorb}, {@code Restore}): this
 * build names the sender's journal position ({@code upTo}) and the receiver reads the entries from
 * the journal; a node of an older build carries them in the message, and they must still be taken.
 * A real user's history is split in two: a customer absorbs a tablet whose entries come in an older
 * node's {@code Absorb}, and a phone merged into another customer is restored by an older node's
 * {@code Restore}. Each profile equals, field by field, the profile of its own rows; repeats of
 * either step change nothing. A step naming more than the sender's journal holds is refused as busy.
 */
class IdentityHandoverTest {
  @TempDir
  Path dataDir;

  private static final Duration ASK = Duration.ofSeconds(30);
  private static final String CUSTOMER_A = "on-cust-a";
  private static final String TABLET_ID = "on-tablet";
  private static final String TABLET = Identity.anonymousId(TABLET_ID).key();
  private static final String CUSTOMER_B = "on-cust-b";
  private static final String PHONE_ID = "on-phone";
  private static final String PHONE = Identity.anonymousId(PHONE_ID).key();

  @Test
  void stepsFromAnOlderNodeCarryingTheEntriesStillMergeAndSplit() throws Exception {
    List<BehaviorRow> rows = history();
    List<BehaviorRow> first = new ArrayList<>();
    List<BehaviorRow> second = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) (i % 2 == 0 ? first : second).add(rows.get(i));
    try (TestNode node = TestNode.start(dataDir, CONFIG)) {
      Profiles profiles = node.node.engine().profiles();
      ClusterSharding sharding = ClusterSharding.get(node.node.system());
      send(profiles, "on-ref-all", rows);

      // An older node's Absorb: the tablet's entries come in the message.
      send(profiles, CUSTOMER_A, first);
      EntityRef<UserProfile.Command> customerA = sharding.entityRefFor(UserProfile.ENTITY_KEY, CUSTOMER_A);
      UserProfile.Absorb absorb = new UserProfile.Absorb(TABLET, List.of(TABLET), entries(TABLET, second), List.of(), null, null);
      assertLinked(CUSTOMER_A, get(customerA.<LinkReply>ask(r -> withReplyTo(absorb, r), ASK)));
      ProfileView merged = view(profiles, CUSTOMER_A);
      IdentityMergeTest.assertSameProfile(view(profiles, "on-ref-all"), merged, "the customer with the carried entries");
      assertEquals(List.of(TABLET_ID), merged.identities().get("anonymousId"), "the tablet is linked");
      assertLinked(CUSTOMER_A, get(customerA.<LinkReply>ask(r -> withReplyTo(absorb, r), ASK)));
      assertEquals(merged, view(profiles, CUSTOMER_A), "a repeated absorb changes nothing");

      // An older node's Restore: the phone, merged into the customer here, gets its entries from the message.
      send(profiles, CUSTOMER_B, first);
      send(profiles, PHONE, second);
      ProfileView phoneBefore = view(profiles, PHONE);
      Outcome<?> linked = get(profiles.identify(new IdentityClaim(CUSTOMER_B, PHONE_ID, null)));
      assertInstanceOf(Outcome.Ok.class, linked, linked.toString());
      IdentityMergeTest.assertSameProfile(view(profiles, "on-ref-all"), view(profiles, CUSTOMER_B), "merged by this build");
      EntityRef<UserProfile.Command> customerB = sharding.entityRefFor(UserProfile.ENTITY_KEY, CUSTOMER_B);
      // A repeat of this build's absorb (its answer lost) is done already, whatever it names.
      assertLinked(CUSTOMER_B, get(customerB.<LinkReply>ask(r -> new UserProfile.Absorb(PHONE, List.of(PHONE), List.of(), List.of(), 1L, r), ASK)));
      EntityRef<UserProfile.Command> phone = sharding.entityRefFor(UserProfile.ENTITY_KEY, PHONE);
      UserProfile.Restore restore = new UserProfile.Restore(CUSTOMER_B, List.of(PHONE), entries(PHONE, second), List.of(), null, null);
      assertLinked(PHONE, get(phone.<LinkReply>ask(r -> withReplyTo(restore, r), ASK)));
      ProfileView restored = view(profiles, PHONE);
      IdentityMergeTest.assertSameProfile(phoneBefore, restored, "the phone restored with the carried entries");
      assertLinked(PHONE, get(phone.<LinkReply>ask(r -> withReplyTo(restore, r), ASK)));
      assertEquals(restored, view(profiles, PHONE), "a repeated restore changes nothing");
    }
  }

  @Test
  void aStepNamingMoreThanTheSendersJournalHoldsIsBusyAndChangesNothing() throws Exception {
    List<BehaviorRow> rows = history();
    try (TestNode node = TestNode.start(dataDir, CONFIG)) {
      Profiles profiles = node.node.engine().profiles();
      send(profiles, CUSTOMER_A, rows.subList(0, rows.size() / 2));
      send(profiles, TABLET, rows.subList(rows.size() / 2, rows.size()));
      ProfileView before = view(profiles, CUSTOMER_A);
      EntityRef<UserProfile.Command> customer = ClusterSharding.get(node.node.system()).entityRefFor(UserProfile.ENTITY_KEY, CUSTOMER_A);
      LinkReply reply = get(customer.<LinkReply>ask(r -> new UserProfile.Absorb(TABLET, List.of(TABLET), List.of(), List.of(), 1_000_000L, r), ASK));
      assertEquals(LinkReply.Status.BUSY, reply.status(), reply.toString());
      assertEquals(before, view(profiles, CUSTOMER_A), "nothing absorbed");
      Outcome<?> linked = get(profiles.identify(new IdentityClaim(CUSTOMER_A, TABLET_ID, null)));
      assertInstanceOf(Outcome.Ok.class, linked, "an identify links them after all: " + linked);
      IdentityMergeTest.assertSameProfile(ref(profiles, rows), view(profiles, CUSTOMER_A), "merged");
    }
  }

  @Test
  void aRepeatOfTheAbsorbInProgressGetsItsAnswer() throws Exception {
    List<BehaviorRow> rows = history();
    try (TestNode node = TestNode.start(dataDir, CONFIG)) {
      Profiles profiles = node.node.engine().profiles();
      send(profiles, CUSTOMER_A, rows.subList(0, rows.size() / 2));
      send(profiles, TABLET, rows.subList(rows.size() / 2, rows.size()));
      EntityRef<UserProfile.Command> customer = ClusterSharding.get(node.node.system()).entityRefFor(UserProfile.ENTITY_KEY, CUSTOMER_A);
      // The tablet's journal up to its first row (as if it were frozen there): sent twice in a row,
      // the second arrives while the first reads the journals.
      var first = customer.<LinkReply>ask(r -> new UserProfile.Absorb(TABLET, List.of(TABLET), List.of(), List.of(), 1L, r), ASK);
      var repeat = customer.<LinkReply>ask(r -> new UserProfile.Absorb(TABLET, List.of(TABLET), List.of(), List.of(), 1L, r), ASK);
      assertLinked(CUSTOMER_A, get(first));
      assertLinked(CUSTOMER_A, get(repeat));
      assertEquals(rows.size() / 2 + 1, view(profiles, CUSTOMER_A).eventCount(), "the customer's rows and the tablet's first, once");
    }
  }

  /** The profile of {@code rows} sent under one id. */
  private static ProfileView ref(Profiles profiles, List<BehaviorRow> rows) throws Exception {
    send(profiles, "on-ref-busy", rows);
    return view(profiles, "on-ref-busy");
  }

  /** The entries an older node carried for {@code rows} sent under {@code key}: one per behavior, as journaled. */
  private static List<LedgerEntry> entries(String key, List<BehaviorRow> rows) {
    return rows.stream().map(r -> LedgerEntry.event(BehaviorEvent.of(r.eventId(), key, r.type(), Instant.ofEpochSecond(r.epochSecond()))
        .withCategory(r.itemId(), r.categoryId()).withPurchase(r.brand(), r.price(), null))).toList();
  }

  private static UserProfile.Absorb withReplyTo(UserProfile.Absorb a, akka.actor.typed.ActorRef<LinkReply> replyTo) {
    return new UserProfile.Absorb(a.from(), a.keys(), a.entries(), a.blocked(), a.upTo(), replyTo);
  }

  private static UserProfile.Restore withReplyTo(UserProfile.Restore r, akka.actor.typed.ActorRef<LinkReply> replyTo) {
    return new UserProfile.Restore(r.from(), r.keys(), r.entries(), r.blocked(), r.upTo(), replyTo);
  }

  private static void assertLinked(String canonical, LinkReply reply) {
    assertEquals(new LinkReply(LinkReply.Status.LINKED, canonical, null, null), reply);
  }
}
