package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.profileengine.data.BehaviorRow;
import dev.profileengine.data.SampleFiles;
import dev.profileengine.data.TaobaoCsv;
import dev.profileengine.engine.profiles.DecodedEvent;
import dev.profileengine.engine.profiles.Linked;
import dev.profileengine.engine.profiles.Outcome;
import dev.profileengine.engine.profiles.Profiles;
import dev.profileengine.engine.profiles.Recorded;
import dev.profileengine.gateway.wire.Json;
import dev.profileengine.profile.BehaviorEvent;
import dev.profileengine.profile.EventResult;
import dev.profileengine.profile.ProfileView;
import dev.profileengine.profile.Identity;
import dev.profileengine.profile.identity.IdentityClaim;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Identity resolution on real rows: several Taobao users' histories are split over a user id and
 * two anonymous ids, sent interleaved, then linked; each canonical profile equals, field by field,
 * the profile of the same rows sent under one id in time order. Unmerging one anonymous id gives
 * back two profiles equal to those of their own rows, and later events follow the new graph.
 */
class IdentityMergeTest {
  @TempDir
  Path dataDir;

  private static final int USERS = 4;
  private static final int MIN_ROWS = 30;
  /** No model (the profiles are compared field by field), and a salt for hashed identity types. */
  static final Map<String, Object> SETTINGS = Map.of("profile.model.enabled", "off",
      "profile.privacy.pii-salt", "identity-tests-salt-0123456789-abcdefghijk");

  @Test
  void linkedIdentitiesFoldIntoOneProfileAndUnmergeRestoresBoth() throws Exception {
    List<List<BehaviorRow>> histories = histories();
    try (TestNode node = TestNode.start(dataDir, SETTINGS)) {
      Profiles profiles = node.node.engine().profiles();
      for (int u = 0; u < histories.size(); u++) {
        List<BehaviorRow> rows = histories.get(u);
        String customer = "cust-" + u;
        String phone = Identity.anonymousId("phone-" + u).key();
        String laptop = Identity.anonymousId("laptop-" + u).key();
        // Each row goes to one identity, in turn; all three are sent interleaved, in time order.
        Map<String, List<BehaviorRow>> byKey = new LinkedHashMap<>();
        List<String> keys = List.of(customer, phone, laptop);
        for (int i = 0; i < rows.size(); i++) byKey.computeIfAbsent(keys.get(i % 3), k -> new ArrayList<>()).add(rows.get(i));
        for (int i = 0; i < rows.size(); i += 7) {
          List<DecodedEvent> batch = new ArrayList<>();
          for (int j = i; j < Math.min(rows.size(), i + 7); j++) batch.add(DecodedEvent.of(event(rows.get(j), keys.get(j % 3))));
          assertAllAccepted(profiles.record(batch).toCompletableFuture().get(30, TimeUnit.SECONDS));
        }
        // The references: the same rows under one id each.
        send(profiles, "ref-all-" + u, rows);
        send(profiles, "ref-laptop-" + u, byKey.get(laptop));
        List<BehaviorRow> rest = new ArrayList<>(byKey.get(customer));
        rest.addAll(byKey.get(phone));
        send(profiles, "ref-rest-" + u, rest);

        Linked linked = ok(profiles.identify(new IdentityClaim(customer, "phone-" + u, Map.of("email", "shopper" + u + "@example.com"))));
        assertEquals(customer, linked.canonical(), "the user id is canonical");
        linked = ok(profiles.identify(new IdentityClaim(null, "laptop-" + u, Map.of("email", "shopper" + u + "@example.com"))));
        assertEquals(customer, linked.canonical(), "linked through the e-mail");
        assertEquals(List.of("laptop-" + u, "phone-" + u), linked.identities().get("anonymousId"));

        ProfileView merged = view(profiles, customer);
        assertSameProfile(view(profiles, "ref-all-" + u), merged, "merged profile of user " + u);
        assertEquals(merged, view(profiles, phone), "read through an anonymous id");
        assertEquals(merged, view(profiles, profiles.profileKey("x", "email:shopper" + u + "@example.com") instanceof Outcome.Ok<String> k ? k.value() : null),
            "read through the e-mail");
        assertEquals(3, merged.identities().size(), "userId, anonymousId, email: " + merged.identities());

        // A conflicting second e-mail is refused and changes nothing.
        Outcome<Linked> refused = profiles.identify(new IdentityClaim(customer, null, Map.of("email", "other" + u + "@example.com")))
            .toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertEquals("identities.email", assertInstanceOf(Outcome.Refused.class, refused).refusal().field());

        // An event sent under an anonymous id after the merge lands in the canonical profile.
        long last = rows.get(rows.size() - 1).epochSecond();
        BehaviorRow late = new BehaviorRow("x", "late-item", "late-cat", rows.get(0).type(), last + 1, null, null);
        assertAllAccepted(profiles.record(List.of(DecodedEvent.of(event(late, laptop)))).toCompletableFuture().get(30, TimeUnit.SECONDS));
        assertEquals(rows.size() + 1, view(profiles, customer).eventCount());

        Linked split = ok(profiles.unmerge(phone, new IdentityClaim(null, "laptop-" + u, null)));
        assertEquals(customer, split.canonical());
        List<BehaviorRow> laptopRows = new ArrayList<>(byKey.get(laptop));
        laptopRows.add(late);
        send(profiles, "ref-laptop-" + u, List.of(late));
        assertSameProfile(view(profiles, "ref-laptop-" + u), view(profiles, laptop), "split-off profile of user " + u);
        assertSameProfile(view(profiles, "ref-rest-" + u), view(profiles, customer), "canonical profile after the unmerge, user " + u);
        assertEquals(List.of("laptop-" + u), view(profiles, laptop).identities().get("anonymousId"));

        // Later events follow the new graph.
        BehaviorRow after = new BehaviorRow("x", "after-item", "after-cat", rows.get(0).type(), last + 2, null, null);
        assertAllAccepted(profiles.record(List.of(DecodedEvent.of(event(after, laptop)))).toCompletableFuture().get(30, TimeUnit.SECONDS));
        assertEquals(laptopRows.size() + 1, view(profiles, laptop).eventCount());
        assertEquals(rest.size(), view(profiles, customer).eventCount());

        // A forget through any linked identity erases the canonical profile and every profile merged into it.
        var forgotten = profiles.forget(phone).toCompletableFuture().get(60, TimeUnit.SECONDS);
        int erased = ((Profiles.Forgotten) assertInstanceOf(Outcome.Ok.class, forgotten, forgotten.toString()).value()).eventsErased();
        assertTrue(erased >= rest.size(), "the rows of every merged profile are erased: " + erased);
        for (String k : List.of(customer, phone))
          assertInstanceOf(Outcome.NotFound.class, profiles.export(k).toCompletableFuture().get(30, TimeUnit.SECONDS), k + " is forgotten");
        assertEquals(laptopRows.size() + 1, view(profiles, laptop).eventCount(), "the split-off profile is not touched");
      }
    }
  }

  /** Real users with at least {@link #MIN_ROWS} rows, each history in (time, event id) order. */
  static List<List<BehaviorRow>> histories() throws Exception {
    Map<String, List<BehaviorRow>> byUser = new LinkedHashMap<>();
    for (BehaviorRow r : TaobaoCsv.read(SampleFiles.find(SampleFiles.USERS), bad -> {})) byUser.computeIfAbsent(r.userId(), k -> new ArrayList<>()).add(r);
    List<List<BehaviorRow>> picked = new ArrayList<>();
    for (List<BehaviorRow> rows : byUser.values()) {
      if (rows.size() < MIN_ROWS || rows.size() > 400) continue;
      rows.sort(Comparator.comparingLong(BehaviorRow::epochSecond).thenComparing(BehaviorRow::eventId));
      picked.add(rows);
      if (picked.size() == USERS) break;
    }
    return picked;
  }

  static BehaviorEvent event(BehaviorRow r, String key) {
    return BehaviorEvent.of(r.eventId(), key, r.type(), Instant.ofEpochSecond(r.epochSecond()))
        .withCategory(r.itemId(), r.categoryId()).withPurchase(r.brand(), r.price(), null);
  }

  /** Sends {@code rows} under {@code key} in (time, event id) order. */
  static void send(Profiles profiles, String key, List<BehaviorRow> rows) throws Exception {
    List<BehaviorRow> sorted = new ArrayList<>(rows);
    sorted.sort(Comparator.comparingLong(BehaviorRow::epochSecond).thenComparing(BehaviorRow::eventId));
    for (int i = 0; i < sorted.size(); i += 50) {
      List<DecodedEvent> batch = sorted.subList(i, Math.min(sorted.size(), i + 50)).stream().map(r -> DecodedEvent.of(event(r, key))).toList();
      assertAllAccepted(profiles.record(batch).toCompletableFuture().get(30, TimeUnit.SECONDS));
    }
  }

  static void assertAllAccepted(Recorded recorded) {
    for (EventResult r : recorded.results()) assertEquals(EventResult.ACCEPTED, r.status(), r.toString());
  }

  static ProfileView view(Profiles profiles, String key) throws Exception {
    Outcome<ProfileView> o = profiles.view(key, null).toCompletableFuture().get(30, TimeUnit.SECONDS);
    return assertInstanceOf(Outcome.Ok.class, o, key + ": " + o) instanceof Outcome.Ok<?> ok ? (ProfileView) ok.value() : null;
  }

  static <T> T ok(java.util.concurrent.CompletionStage<Outcome<T>> stage) throws Exception {
    Outcome<T> o = stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
    assertTrue(o instanceof Outcome.Ok<T>, o.toString());
    return ((Outcome.Ok<T>) o).value();
  }

  /** The two profiles as JSON, equal but for the id and identities that name them. */
  static void assertSameProfile(ProfileView expected, ProfileView actual, String what) {
    assertEquals(withoutNames(expected), withoutNames(actual), what);
  }

  private static JsonNode withoutNames(ProfileView v) {
    ObjectNode j = Json.MAPPER.valueToTree(v);
    j.remove("userId");
    j.remove("identities");
    return j;
  }
}
