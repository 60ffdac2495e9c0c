package dev.profileengine.gateway;

import static dev.profileengine.gateway.IdentityMergeTest.SETTINGS;
import static dev.profileengine.gateway.IdentityMergeTest.assertSameProfile;
import static dev.profileengine.gateway.IdentityMergeTest.histories;
import static dev.profileengine.gateway.IdentityMergeTest.ok;
import static dev.profileengine.gateway.IdentityMergeTest.send;
import static dev.profileengine.gateway.IdentityMergeTest.view;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.profileengine.data.BehaviorRow;
import dev.profileengine.engine.UserProfile;
import dev.profileengine.engine.profiles.Linked;
import dev.profileengine.engine.profiles.Profiles;
import dev.profileengine.profile.ProfileView;
import dev.profileengine.profile.Identity;
import dev.profileengine.profile.identity.IdentityClaim;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An identity seen first in its link (an anonymous id that never sent anything) is merged with one
 * row of its own, a direct {@code MergedInto}, and the customer's absorb: no started step, nothing
 * handed over. Events sent under it alone then reach the customer, and an unmerge gives them back.
 * A node that stops between the two rows finishes the merge when it starts again, without anyone
 * asking for the anonymous id.
 */
class IdentityDirectMergeTest {
  @TempDir
  Path dataDir;

  @Test
  void anIdentitySeenFirstInItsLinkTakesOneRowAndACutMergeIsFinishedOnRestart() throws Exception {
    List<BehaviorRow> rows = histories().get(0);
    List<BehaviorRow> before = rows.subList(0, 10);
    List<BehaviorRow> after = rows.subList(10, 20);
    String anonymousA = Identity.anonymousId("fresh-a").key();
    String anonymousB = Identity.anonymousId("fresh-b").key();
    try (TestNode node = TestNode.start(dataDir, SETTINGS)) {
      Profiles profiles = node.node.engine().profiles();
      send(profiles, "cust-a", before);
      Linked linked = ok(profiles.identify(new IdentityClaim("cust-a", "fresh-a", null)));
      assertEquals("cust-a", linked.canonical());
      assertEquals(List.of("fresh-a"), linked.identities().get(Identity.ANONYMOUS_ID));
      send(profiles, anonymousA, after);
      send(profiles, "ref-a", rows.subList(0, 20));
      assertSameProfile(view(profiles, "ref-a"), view(profiles, "cust-a"), "events under the linked anonymous id reach the customer");

      // An unmerge gives the events sent under the anonymous id back to it, field by field.
      String anonymousC = Identity.anonymousId("fresh-c").key();
      send(profiles, "cust-c", before);
      ok(profiles.identify(new IdentityClaim("cust-c", "fresh-c", null)));
      send(profiles, anonymousC, after);
      ok(profiles.unmerge("cust-c", new IdentityClaim(null, "fresh-c", null)));
      send(profiles, "ref-before", before);
      send(profiles, "ref-after", after);
      assertSameProfile(view(profiles, "ref-before"), view(profiles, "cust-c"), "the customer after the unmerge");
      assertSameProfile(view(profiles, "ref-after"), view(profiles, anonymousC), "the anonymous id given back its events");

      send(profiles, "cust-b", before);
      ok(profiles.identify(new IdentityClaim("cust-b", "fresh-b", null)));
    }
    try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + dataDir.resolve("journal"), "sa", "")) {
      assertEquals(List.of("profile.MergedInto#2"), ProfileEntities.manifests(c, anonymousA), "the anonymous id's only row");
      assertEquals(List.of("profile.MergedInto#2"), ProfileEntities.manifests(c, anonymousB), "the anonymous id's only row");
      // As if the node had stopped between the anonymous id's row and the customer's absorb.
      try (PreparedStatement ps = c.prepareStatement("DELETE FROM \"event_journal\" WHERE \"persistence_id\" = ? AND \"event_ser_manifest\" LIKE 'profile.Absorbed#%'")) {
        ps.setString(1, UserProfile.persistenceIdOf("cust-b").id());
        assertEquals(1, ps.executeUpdate());
      }
    }
    try (TestNode node = TestNode.start(dataDir, SETTINGS)) {
      Profiles profiles = node.node.engine().profiles();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (view(profiles, "cust-b").identities().get(Identity.ANONYMOUS_ID) == null) {
        if (System.nanoTime() > deadline) throw new AssertionError("the cut merge was not finished within 60 s: " + view(profiles, "cust-b").identities());
        Thread.sleep(100);
      }
      assertEquals(List.of("fresh-b"), view(profiles, "cust-b").identities().get(Identity.ANONYMOUS_ID));
    }
  }

  @Test
  void anIdentityMergedDirectlyStopsOnceConfirmedAndEventsUnderItAloneStillReachTheCustomer() throws Exception {
    List<BehaviorRow> rows = histories().get(0);
    String anonymous = Identity.anonymousId("passing").key();
    // Default passivation (ten minutes idle): only the identity's own stop can end its entity here.
    try (TestNode node = TestNode.start(dataDir, SETTINGS)) {
      Profiles profiles = node.node.engine().profiles();
      send(profiles, "cust-p", rows.subList(0, 10));
      ok(profiles.identify(new IdentityClaim("cust-p", "passing", null)));
      ProfileEntities.awaitStopped(node, anonymous);
      assertTrue(ProfileEntities.live(node).contains("cust-p"), "the customer's profile stays live");
      send(profiles, anonymous, rows.subList(10, 20));
      send(profiles, "ref-p", rows.subList(0, 20));
      assertSameProfile(view(profiles, "ref-p"), view(profiles, "cust-p"), "events under the stopped anonymous id reach the customer");
      ok(profiles.unmerge("cust-p", new IdentityClaim(null, "passing", null)));
      send(profiles, "ref-p10", rows.subList(0, 10));
      send(profiles, "ref-p20", rows.subList(10, 20));
      assertSameProfile(view(profiles, "ref-p10"), view(profiles, "cust-p"), "the customer after the unmerge");
      assertSameProfile(view(profiles, "ref-p20"), view(profiles, anonymous), "the anonymous id given back its events");
    }
  }

  @Test
  void anIdentityMergedDirectlyAndStoppedIsSplitOffWhenItStartsForTheRestore() throws Exception {
    List<BehaviorRow> rows = histories().get(0);
    String anonymous = Identity.anonymousId("idle-r").key();
    // Idle profiles stop: the anonymous id's entity is started again by the customer's restore, and
    // recovers its direct merge while it is asked.
    try (TestNode node = TestNode.start(dataDir, idleAfterASecond())) {
      Profiles profiles = node.node.engine().profiles();
      send(profiles, "cust-r", rows.subList(0, 10));
      ok(profiles.identify(new IdentityClaim("cust-r", "idle-r", null)));
      send(profiles, anonymous, rows.subList(10, 20));
      ProfileEntities.awaitStopped(node, anonymous);
      ok(profiles.unmerge("cust-r", new IdentityClaim(null, "idle-r", null)));
      send(profiles, "ref-before", rows.subList(0, 10));
      send(profiles, "ref-after", rows.subList(10, 20));
      assertSameProfile(view(profiles, "ref-before"), view(profiles, "cust-r"), "the customer after the unmerge");
      assertSameProfile(view(profiles, "ref-after"), view(profiles, anonymous), "the anonymous id given back its events");
    }
  }

  @Test
  void anIdentityMergedDirectlyIntoAProfileThatMergedOnKeepsPointingAtItsGroupWhenStartedAgain() throws Exception {
    List<BehaviorRow> rows = histories().get(0);
    String group = Identity.anonymousId("group-g").key();
    String cookie = new Identity("cookie", "cookie-g").key();
    try (TestNode node = TestNode.start(dataDir, idleAfterASecond())) {
      Profiles profiles = node.node.engine().profiles();
      send(profiles, group, rows.subList(0, 10));
      // The cookie joins the anonymous id's profile directly, which then joins the customer's with it.
      ok(profiles.identify(new IdentityClaim(null, "group-g", Map.of("cookie", "cookie-g"))));
      ok(profiles.identify(new IdentityClaim("cust-g", "group-g", null)));
      ProfileEntities.awaitStopped(node, cookie);
      // Started again by a read, the cookie offers itself again through the anonymous id's profile.
      assertEquals("cust-g", view(profiles, cookie).userId());
      // Splitting the anonymous id off gives the cookie back with it: it still points there.
      ok(profiles.unmerge("cust-g", new IdentityClaim(null, "group-g", null)));
      ProfileView back = view(profiles, cookie);
      assertEquals(group, back.userId(), "the cookie resolves to the anonymous id's profile again");
      assertEquals(List.of("cookie-g"), back.identities().get("cookie"));
      send(profiles, cookie, rows.subList(10, 20));
      send(profiles, "ref-g", rows.subList(0, 20));
      assertSameProfile(view(profiles, "ref-g"), view(profiles, group), "events under the cookie reach the anonymous id's profile");
    }
  }

  /** Idle profiles stop after a second (ten minutes by default), and the identity type {@code cookie}, merged directly. */
  private static Map<String, Object> idleAfterASecond() {
    Map<String, Object> settings = new HashMap<>(SETTINGS);
    settings.put("akka.cluster.sharding.passivation.default-strategy.idle-entity.timeout", "1s");
    settings.put("profile.identity.types.cookie.unique", false);
    settings.put("profile.identity.types.cookie.hashed", false);
    return settings;
  }
}
