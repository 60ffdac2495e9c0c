package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.profileengine.engine.profiles.DecodedEvent;
import dev.profileengine.engine.profiles.Linked;
import dev.profileengine.engine.profiles.Outcome;
import dev.profileengine.engine.profiles.Profiles;
import dev.profileengine.engine.profiles.Recorded;
import dev.profileengine.profile.BehaviorEvent;
import dev.profileengine.profile.BehaviorType;
import dev.profileengine.profile.EventResult;
import dev.profileengine.profile.ProfileView;
import dev.profileengine.profile.Identity;
import dev.profileengine.profile.identity.IdentityClaim;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Merges racing each other and the events of the profiles they merge: for each of several people,
 * events stream in under a customer id and three anonymous ids while links that form a chain and a
 * cycle between them are asked for at the same time, in shuffled order. Every link ends done
 * (refusals are retried as their answer says), every identity resolves to the customer's profile,
 * and that profile holds each event exactly once.
 */
class IdentityConcurrencyTest {
  @TempDir
  Path dataDir;

  private static final int PEOPLE = 12;
  private static final int EVENTS_PER_IDENTITY = 40;
  private static final Instant T0 = Instant.now().minusSeconds(7200);
  /** Links answered "retry" (a profile busy merging, or moved): the races happened. */
  private static final java.util.concurrent.atomic.AtomicInteger RETRIED = new java.util.concurrent.atomic.AtomicInteger();

  @Test
  void racingMergesAndEventsEndInOneProfileWithEveryEventOnce() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try (TestNode node = TestNode.start(dataDir, Map.of("profile.model.enabled", "off"))) {
      Profiles profiles = node.node.engine().profiles();
      List<Callable<Void>> work = new ArrayList<>();
      for (int p = 0; p < PEOPLE; p++) {
        String customer = "c" + p;
        List<String> anon = List.of("p" + p + "-a", "p" + p + "-b", "p" + p + "-c");
        List<String> keys = List.of(customer, Identity.anonymousId(anon.get(0)).key(), Identity.anonymousId(anon.get(1)).key(),
            Identity.anonymousId(anon.get(2)).key());
        for (String key : keys) {
          for (int batch = 0; batch < EVENTS_PER_IDENTITY; batch += 5) {
            int from = batch;
            work.add(() -> record(profiles, key, from, 5));
          }
        }
        // A chain a-b, b-c, a cycle c-a, and the customer joining through c.
        String own = "d" + p + "-own";
        work.add(() -> identify(profiles, new IdentityClaim(null, anon.get(0), Map.of("device", own))));
        work.add(() -> link(profiles, anon.get(0), anon.get(1)));
        work.add(() -> link(profiles, anon.get(1), anon.get(2)));
        work.add(() -> link(profiles, anon.get(2), anon.get(0)));
        work.add(() -> identify(profiles, new IdentityClaim(customer, anon.get(2), null)));
      }
      Collections.shuffle(work, new Random(11));
      for (Future<Void> f : pool.invokeAll(work, 5, TimeUnit.MINUTES)) f.get();
      System.out.printf("identity races: %d links, %d answered retry%n", PEOPLE * 9, RETRIED.get());

      for (int p = 0; p < PEOPLE; p++) {
        String customer = "c" + p;
        ProfileView canonical = view(profiles, customer);
        assertEquals(customer, canonical.userId());
        assertEquals(4L * EVENTS_PER_IDENTITY, canonical.eventCount(), "every event of " + customer + " once: " + canonical.identities());
        assertEquals(List.of("p" + p + "-a", "p" + p + "-b", "p" + p + "-c"), canonical.identities().get("anonymousId"));
        assertEquals(4, canonical.identities().get("device").size(), "the four devices: " + canonical.identities());
        for (String a : List.of("p" + p + "-a", "p" + p + "-b", "p" + p + "-c"))
          assertEquals(customer, view(profiles, Identity.anonymousId(a).key()).userId(), a + " resolves to the customer");
        // A retried event of any identity is a duplicate, not a second count.
        Recorded again = profiles.record(List.of(DecodedEvent.of(event(Identity.anonymousId("p" + p + "-b").key(), 3))))
            .toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertEquals(EventResult.DUPLICATE, again.results().get(0).status());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static BehaviorEvent event(String key, int i) {
    return BehaviorEvent.of(key + "-e" + i, key, BehaviorType.values()[i % 5], T0.plusSeconds(i * 10L)).withCategory("item" + i, "cat" + (i % 4));
  }

  /** Records events {@code from}..{@code from + n - 1} of {@code key}, retrying those not confirmed (deduplicated). */
  private static Void record(Profiles profiles, String key, int from, int n) throws Exception {
    List<DecodedEvent> batch = new ArrayList<>();
    for (int i = from; i < from + n; i++) batch.add(DecodedEvent.of(event(key, i)));
    for (int attempt = 0; attempt < 20; attempt++) {
      Recorded r = profiles.record(batch).toCompletableFuture().get(60, TimeUnit.SECONDS);
      if (r.results().stream().allMatch(e -> e.status().equals(EventResult.ACCEPTED) || e.status().equals(EventResult.DUPLICATE))) return null;
      assertTrue(r.results().stream().allMatch(e -> !e.status().equals(EventResult.REJECTED)), r.results().toString());
    }
    return fail("events of " + key + " never confirmed");
  }

  /** Links two anonymous ids through a device both are seen with (two identify calls, racing the rest). */
  private static Void link(Profiles profiles, String a, String b) throws Exception {
    String device = "dev-" + a + "-" + b;
    identify(profiles, new IdentityClaim(null, a, Map.of("device", device)));
    return identify(profiles, new IdentityClaim(null, b, Map.of("device", device)));
  }

  /** Links the identities of {@code claim}, retrying while the answer says to retry. */
  private static Void identify(Profiles profiles, IdentityClaim claim) throws Exception {
    for (int attempt = 0; attempt < 60; attempt++) {
      Outcome<Linked> o = profiles.identify(claim).toCompletableFuture().get(60, TimeUnit.SECONDS);
      if (o instanceof Outcome.Ok<Linked>) return null;
      if (!(o instanceof Outcome.Refused<Linked> r) || r.refusal().retryAfterSeconds() == 0) return fail("link refused for good: " + o);
      RETRIED.incrementAndGet();
    }
    return fail("never linked: " + claim);
  }

  private static ProfileView view(Profiles profiles, String key) throws Exception {
    Outcome<ProfileView> o = profiles.view(key, null).toCompletableFuture().get(30, TimeUnit.SECONDS);
    if (o instanceof Outcome.Ok<ProfileView> ok) return ok.value();
    return fail(key + ": " + o);
  }
}
