package dev.profileengine.gateway;

import static dev.profileengine.gateway.IdentityMergeTest.assertSameProfile;
import static dev.profileengine.gateway.IdentityMergeTest.histories;
import static dev.profileengine.gateway.IdentityMergeTest.SETTINGS;
import static dev.profileengine.gateway.IdentityMergeTest.ok;
import static dev.profileengine.gateway.IdentityMergeTest.send;
import static dev.profileengine.gateway.IdentityMergeTest.view;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.profileengine.data.BehaviorRow;
import dev.profileengine.engine.profiles.Linked;
import dev.profileengine.engine.profiles.Outcome;
import dev.profileengine.engine.profiles.Profiles;
import dev.profileengine.profile.Identity;
import dev.profileengine.profile.identity.IdentityClaim;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The usual login, on real rows: a shopper's anonymous profile is merged into a customer profile
 * that holds nothing yet, which takes the anonymous one's folded state as it is (nothing read or
 * refolded; its entries stay in the anonymous journal, referenced). Then the customer's own events,
 * then a second anonymous profile merged into the now non-empty customer (refolded, reading the
 * first one's entries through the reference): each step equals, field by field, the profile of the
 * same rows under one id; an unmerge of the first anonymous id gives both sides back; the anonymous
 * profile given back can be forgotten on its own; and all of it survives a restart (recovery folds
 * the journaled state).
 */
class IdentityHandedOverStateTest {
  @TempDir
  Path dataDir;

  @Test
  void aNewCustomerProfileTakesTheAnonymousStateAndUnmergeGivesItBack() throws Exception {
    List<List<BehaviorRow>> histories = histories();
    try (TestNode node = TestNode.start(dataDir, SETTINGS)) {
      Profiles profiles = node.node.engine().profiles();
      for (int u = 0; u < histories.size(); u++) {
        List<BehaviorRow> rows = histories.get(u);
        int third = rows.size() / 3;
        List<BehaviorRow> web = rows.subList(0, third);
        List<BehaviorRow> own = rows.subList(third, 2 * third);
        List<BehaviorRow> app = rows.subList(2 * third, rows.size());
        String customer = "new-cust-" + u;
        String webKey = Identity.anonymousId("web-" + u).key();
        String appKey = Identity.anonymousId("app-" + u).key();

        send(profiles, webKey, web);
        Linked linked = ok(profiles.identify(new IdentityClaim(customer, "web-" + u, null)));
        assertEquals(customer, linked.canonical());
        send(profiles, "ref-web-" + u, web);
        assertSameProfile(view(profiles, "ref-web-" + u), view(profiles, customer), "the customer took the anonymous state, user " + u);

        send(profiles, customer, own);
        send(profiles, appKey, app);
        ok(profiles.identify(new IdentityClaim(customer, "app-" + u, null)));
        send(profiles, "ref-all-" + u, rows);
        assertSameProfile(view(profiles, "ref-all-" + u), view(profiles, customer), "refolded through the reference, user " + u);

        ok(profiles.unmerge(customer, new IdentityClaim(null, "web-" + u, null)));
        List<BehaviorRow> rest = new ArrayList<>(own);
        rest.addAll(app);
        send(profiles, "ref-rest-" + u, rest);
        assertSameProfile(view(profiles, "ref-web-" + u), view(profiles, webKey), "the anonymous profile given back, user " + u);
        assertSameProfile(view(profiles, "ref-rest-" + u), view(profiles, customer), "the customer without it, user " + u);

        // The anonymous profile given back is forgotten on its own: the customer's history no longer
        // needs its rows (the unmerge replaced the reference), so a later merge still reads it.
        assertInstanceOf(Outcome.Ok.class, profiles.forget(webKey).toCompletableFuture().get(60, TimeUnit.SECONDS));
        BehaviorRow tab = new BehaviorRow("x", "tab-item-" + u, "tab-cat", rows.get(0).type(), rows.get(rows.size() - 1).epochSecond() + 5, null, null);
        send(profiles, Identity.anonymousId("tab-" + u).key(), List.of(tab));
        ok(profiles.identify(new IdentityClaim(customer, "tab-" + u, null)));
        send(profiles, "ref-rest-" + u, List.of(tab));
        assertSameProfile(view(profiles, "ref-rest-" + u), view(profiles, customer), "merged again after the forget, user " + u);
      }
    }
    try (TestNode node = TestNode.start(dataDir, SETTINGS)) {
      Profiles profiles = node.node.engine().profiles();
      for (int u = 0; u < histories.size(); u++) {
        assertSameProfile(view(profiles, "ref-rest-" + u), view(profiles, "new-cust-" + u), "after a restart, user " + u);
      }
    }
  }
}
