package dev.profileengine.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import dev.profileengine.engine.ProfileShards;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Identity resolution on a 3-node cluster (the real fat jar, PostgreSQL journal, remoting over
 * TLS). Each of {@link #PEOPLE} people has a customer id and three anonymous ids, each with its own
 * events, sent to random nodes. Then, while the rest of their events stream in, identify calls that
 * link the anonymous ids through shared devices into a chain and a cycle (a+d1, b+d1, b+d2, c+d2,
 * c+d3, a+d3) and the customer to two of them race each other on random nodes, and a node that
 * hosts profiles of merges in flight is killed with SIGKILL and restarted. Clients retry what is
 * not answered definitely. After recovery every identity of every person, read on every node,
 * resolves to the customer's profile, which lists all its identities and counts each event sent
 * exactly once; an unmerge of one anonymous id then splits the profile in two whose identities and
 * counts add up.
 *
 * <p>Knobs: {@code identity.people} (default 40), {@code failover.jar}. Node logs:
 * {@code target/identity-cluster/}.
 */
class IdentityClusterTest {
  private static final int NODES = 3;
  private static final int PEOPLE = Integer.getInteger("identity.people", 40);
  /** Events per identity (customer and each anonymous id): the first half before the merges, the rest during them. */
  private static final int EVENTS_PER_IDENTITY = 10;
  private static final int BATCH = EVENTS_PER_IDENTITY / 2;
  private static final int UNMERGED = 5;
  /** Identify calls started per second: the merges last past the kill. */
  private static final double IDENTIFY_RATE = 40;
  private static final double BATCH_RATE = 20;
  private static final Path RUN_DIR = Path.of("target", "identity-cluster");
  private static final String[] TYPES = {"view", "click", "cart"};

  private final Figures figures = new Figures("identity-cluster");
  private final long baseMillis = System.currentTimeMillis() - Duration.ofMinutes(30).toMillis();

  /** An identify call's body and the profile keys it names. */
  record Link(ObjectNode claim, Set<String> keys) {}

  /** One person: a customer id, three anonymous ids, three devices that chain them. */
  record Person(int n, String customer, List<String> anonymous, List<String> devices) {
    static Person of(int n) {
      return new Person(n, "idc-cust-" + n, List.of("idc-" + n + "-a", "idc-" + n + "-b", "idc-" + n + "-c"),
          List.of("idc-" + n + "-d1", "idc-" + n + "-d2", "idc-" + n + "-d3"));
    }

    /** Every identity as {@code type:value}. */
    Set<String> identities() {
      Set<String> all = new TreeSet<>();
      all.add("userId:" + customer);
      anonymous.forEach(a -> all.add("anonymousId:" + a));
      devices.forEach(d -> all.add("device:" + d));
      return all;
    }

    /** Profile keys of every identity (a user id is its own, any other {@code ~type:value}). */
    Set<String> keys() {
      Set<String> keys = new HashSet<>();
      for (String i : identities()) keys.add(i.startsWith("userId:") ? customer : "~" + i);
      return keys;
    }

    /** The identities events are sent under, as {@code type:value}. */
    List<String> eventIdentities() {
      List<String> l = new ArrayList<>();
      l.add("userId:" + customer);
      anonymous.forEach(a -> l.add("anonymousId:" + a));
      return l;
    }

    /** The links: a chain a-d1-b-d2-c, closed into a cycle by c-d3-a, and the customer joining through c and a. */
    List<ObjectNode> claims() {
      List<ObjectNode> l = new ArrayList<>();
      int[][] anonDevice = {{0, 0}, {1, 0}, {1, 1}, {2, 1}, {2, 2}, {0, 2}};
      for (int[] ad : anonDevice) {
        ObjectNode c = Http.JSON.createObjectNode().put("anonymousId", anonymous.get(ad[0]));
        c.putObject("identities").put("device", devices.get(ad[1]));
        l.add(c);
      }
      l.add(Http.JSON.createObjectNode().put("userId", customer).put("anonymousId", anonymous.get(2)));
      l.add(Http.JSON.createObjectNode().put("userId", customer).put("anonymousId", anonymous.get(0)));
      return l;
    }
  }

  @Test
  @Timeout(value = 600, unit = TimeUnit.SECONDS)
  void mergesRacingAKilledNodeEndInOneConsistentGraphWithEveryEventOnce() throws Exception {
    long t0 = System.nanoTime();
    List<Person> people = new ArrayList<>();
    for (int n = 0; n < PEOPLE; n++) people.add(Person.of(n));
    Path jar = Path.of(System.getProperty("failover.jar", Path.of("..", "api-gateway", "target", "profile-engine.jar").toString()));
    // A killed node is downed 2 s after it is found unreachable; node 1 (the first seed) is never
    // killed, so the others may ask to join again after 2 s.
    Map<String, String> env = Map.of("PROFILE_SBR_STABLE_AFTER", "2s");
    ExecutorService pool = Executors.newFixedThreadPool(8);
    // Links and events on their own threads, so each keeps its own schedule.
    ExecutorService linkPool = Executors.newFixedThreadPool(16);
    ExecutorService eventPool = Executors.newFixedThreadPool(4);
    try (LocalCluster cluster = LocalCluster.start(RUN_DIR, jar, NODES, env, List.of("-Dakka.cluster.seed-node-timeout=2s"))) {
      cluster.awaitReady(Duration.ofSeconds(150), cluster.nodes().toArray(NodeProcess[]::new));
      cluster.awaitMembersUp(NODES, Duration.ofSeconds(90));
      cluster.nodes().forEach(n -> n.routable(true));
      figures.put("cluster start (PostgreSQL + 3 nodes Up)", "%.1f s", secondsSince(t0));
      RetryingCalls calls = new RetryingCalls(cluster::routableUrls, Duration.ofSeconds(180));

      // 1. Each identity's first events, before any link.
      long phase1 = System.nanoTime();
      List<Callable<Void>> first = new ArrayList<>();
      for (Person p : people) first.add(() -> sendBatch(calls, p.eventIdentities(), 0, false));
      for (Future<Void> f : pool.invokeAll(first)) f.get();
      assertEquals(List.of(), calls.failures(), "events before the merges");
      figures.put("events before the merges", "%d people x 4 identities x %d events in %.1f s", PEOPLE, BATCH, secondsSince(phase1));

      // 2. The victim: of nodes 2 and 3, the one hosting the most of the people's profile keys.
      int shards = ConfigFactory.parseResources("engine-cluster.conf").resolve().getInt("akka.cluster.sharding.number-of-shards");
      ProfileShards shardOf = new ProfileShards(shards);
      Set<String> allKeys = new HashSet<>();
      people.forEach(p -> allKeys.addAll(p.keys()));
      NodeProcess victim = null;
      Set<String> victimKeys = Set.of();
      for (int i = 2; i <= NODES; i++) {
        Set<Integer> hosted = cluster.node(i).shards();
        Set<String> on = new HashSet<>();
        for (String k : allKeys) if (hosted.contains(Integer.parseInt(shardOf.shardId(k)))) on.add(k);
        if (on.size() > victimKeys.size()) {
          victim = cluster.node(i);
          victimKeys = on;
        }
      }
      assertTrue(victim != null && !victimKeys.isEmpty(), "no node of 2 and 3 hosts any of the people's profiles");

      // 3. The links, racing each other and the rest of the events, paced to last past the kill.
      List<Future<Void>> running = new ArrayList<>();
      Map<Integer, Set<String>> inFlight = new ConcurrentHashMap<>();
      AtomicInteger linked = new AtomicInteger();
      List<Long> linkMillis = Collections.synchronizedList(new ArrayList<>());
      List<Link> links = new ArrayList<>();
      for (Person p : people) for (ObjectNode c : p.claims()) links.add(new Link(c, claimKeys(c)));
      Collections.shuffle(links, new Random(23));
      // The later events also carry links of the graph (the customer's its anonymous id c, b's its
      // device d1), which the engine makes before recording them: links racing from the event path too.
      List<String> batches = new ArrayList<>();
      for (Person p : people) batches.addAll(p.eventIdentities());
      Collections.shuffle(batches, new Random(29));
      long trafficStart = System.nanoTime();
      for (int i = 0; i < links.size(); i++) {
        int call = i;
        Link link = links.get(i);
        running.add(linkPool.submit(() -> {
          paceUntil(trafficStart, call / IDENTIFY_RATE);
          inFlight.put(call, link.keys());
          long sent = System.nanoTime();
          try {
            Http.Response r = calls.post("/v1/identify", Http.JSON.writeValueAsBytes(link.claim()), "identify " + link.claim());
            if (r != null) linked.incrementAndGet();
            linkMillis.add((System.nanoTime() - sent) / 1_000_000);
          } finally {
            inFlight.remove(call);
          }
          return null;
        }));
      }
      for (int i = 0; i < batches.size(); i++) {
        int call = i;
        String id = batches.get(i);
        running.add(eventPool.submit(() -> {
          paceUntil(trafficStart, call / BATCH_RATE);
          return sendBatch(calls, List.of(id), BATCH, true);
        }));
      }

      // 4. kill -9 of the victim mid-merge: one of its profiles has journaled MergeStarted and not
      // yet its end (it is reading its entries or waiting for the canonical side's Absorb).
      Set<String> onVictim = victimKeys;
      Set<String> cut;
      long touching;
      int linkedAtKill;
      int inFlightAtKill;
      long killAt;
      try (java.sql.Connection db = java.sql.DriverManager.getConnection(cluster.jdbcUrl(), "postgres", "")) {
        awaitTrue("an eighth of the links done and a merge of one of node " + victim.index + "'s profiles journaled as started, not ended",
            Duration.ofSeconds(120), () -> linked.get() >= links.size() / 8 && !pendingOn(db, onVictim).isEmpty());
        touching = inFlight.values().stream().filter(k -> k.stream().anyMatch(onVictim::contains)).count();
        linkedAtKill = linked.get();
        inFlightAtKill = inFlight.size();
        killAt = System.nanoTime();
        victim.kill();
        cut = pendingOn(db, onVictim);
      }
      assertFalse(running.stream().allMatch(Future::isDone), "the traffic ended before the kill");
      figures.put("kill -9", "node %d (hosting %d of the %d profile keys, by the shards allocated then) %.1f s into the merges, %d of %d links"
              + " done, %d in flight (%d touching its profiles); its merges cut mid-step (journaled started, not ended): %s", victim.index,
          victimKeys.size(), allKeys.size(), (killAt - trafficStart) / 1e9, linkedAtKill, links.size(), inFlightAtKill, touching, cut);
      victim.start();

      for (Future<Void> f : running) f.get(240, TimeUnit.SECONDS);
      double trafficSeconds = secondsSince(trafficStart);
      cluster.awaitReady(Duration.ofSeconds(150), victim);
      victim.routable(true);
      cluster.awaitMembersUp(NODES, Duration.ofSeconds(90));
      figures.put("restart", "node %d ready and 3 Up %.1f s after the kill", victim.index, secondsSince(killAt));
      figures.put("traffic", "%d identify calls and %d event batches answered in %.1f s: %d calls, %d retried %s", links.size(), batches.size(),
          trafficSeconds, calls.calls(), calls.retries(), calls.retriesByKind());
      assertEquals(List.of(), calls.failures().stream().limit(10).toList(), "calls refused or given up");
      List<Long> ms = new ArrayList<>(linkMillis);
      Collections.sort(ms);
      figures.put("identify latency (retries included)", "p50 %d ms, p99 %d ms, max %d ms", ms.get(ms.size() / 2),
          ms.get(Math.min(ms.size() - 1, ms.size() * 99 / 100)), ms.get(ms.size() - 1));

      // 5. One graph: every identity on every node resolves to the customer's profile, every event once.
      long convergeFrom = System.nanoTime();
      List<String> differences = awaitNone("every identity on every node resolves to its customer's profile with every event once",
          Duration.ofSeconds(120), () -> merged(people, cluster, pool));
      assertEquals(List.of(), differences, "merged profiles");
      assertEquals(Set.of(), pendingLinks(cluster), "merges or splits journaled as started and never ended");
      figures.put("converged", "%d people x %d identities x %d nodes consistent, checked in %.1f s (%.1f s after the kill)",
          PEOPLE, people.get(0).identities().size(), NODES, secondsSince(convergeFrom), secondsSince(killAt));

      // 6. An unmerge after recovery: the two profiles' identities and counts add up.
      List<Person> split = people.subList(0, UNMERGED);
      List<Callable<Void>> unmerges = new ArrayList<>();
      for (Person p : split) {
        byte[] body = Http.JSON.writeValueAsBytes(Http.JSON.createObjectNode().put("anonymousId", p.anonymous().get(0)));
        AtomicInteger attempts = new AtomicInteger();
        // A repeat of an unmerge whose answer was lost finds the identity gone: 404 on a repeat is done.
        unmerges.add(() -> {
          calls.send("/v1/profiles/" + p.customer() + "/unmerge", body, "unmerge " + p.anonymous().get(0), Duration.ofSeconds(30),
              r -> r.ok() || (r.status() == 404 && attempts.getAndIncrement() > 0) ? RetryingCalls.Answer.DONE
                  : r.status() == -1 || r.status() >= 500 ? bump(attempts) : RetryingCalls.Answer.REFUSED);
          return null;
        });
      }
      long unmergeFrom = System.nanoTime();
      for (Future<Void> f : pool.invokeAll(unmerges)) f.get();
      assertEquals(List.of(), calls.failures(), "unmerges");
      List<String> splitDifferences = awaitNone("each split person's two profiles add up on every node", Duration.ofSeconds(60),
          () -> splitApart(split, cluster));
      assertEquals(List.of(), splitDifferences, "profiles after the unmerge");
      assertEquals(Set.of(), pendingLinks(cluster), "merges or splits journaled as started and never ended, after the unmerges");
      figures.put("journaled identity steps", "%s", identitySteps(cluster));
      figures.put("unmerge", "%d people split in two, consistent on every node %.1f s after the calls began", UNMERGED, secondsSince(unmergeFrom));
      figures.put("wall time", "%.1f s", secondsSince(t0));
    } finally {
      pool.shutdownNow();
      linkPool.shutdownNow();
      eventPool.shutdownNow();
      System.out.println(figures.summary());
      figures.write(RUN_DIR.resolve("figures.txt"));
    }
  }

  /** Those of {@code keys} whose profile has a merge or split journaled as started and not ended. */
  private static Set<String> pendingOn(java.sql.Connection db, Set<String> keys) {
    try {
      Set<String> pending = new TreeSet<>(JournalRows.pendingLinks(db));
      pending.retainAll(keys);
      return pending;
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Set<String> pendingLinks(LocalCluster cluster) throws java.sql.SQLException {
    try (java.sql.Connection db = java.sql.DriverManager.getConnection(cluster.jdbcUrl(), "postgres", "")) {
      return JournalRows.pendingLinks(db);
    }
  }

  private static Map<String, Long> identitySteps(LocalCluster cluster) throws java.sql.SQLException {
    try (java.sql.Connection db = java.sql.DriverManager.getConnection(cluster.jdbcUrl(), "postgres", "")) {
      return JournalRows.identitySteps(db);
    }
  }

  private static RetryingCalls.Answer bump(AtomicInteger attempts) {
    attempts.incrementAndGet();
    return RetryingCalls.Answer.RETRY;
  }

  /**
   * Sends events {@code from}..{@code from + BATCH - 1} of each identity ({@code type:value}) in one
   * request; {@code carry}: a customer's events name its anonymous id c, anonymous id b's its device d1.
   */
  private Void sendBatch(RetryingCalls calls, List<String> identities, int from, boolean carry) throws Exception {
    ArrayNode body = Http.JSON.createArrayNode();
    for (String identity : identities) {
      String type = identity.substring(0, identity.indexOf(':'));
      String value = identity.substring(identity.indexOf(':') + 1);
      for (int i = from; i < from + BATCH; i++) {
        ObjectNode e = body.addObject().put("eventId", value + "-e" + i).put(type, value).put("type", TYPES[i % TYPES.length])
            .put("timestamp", baseMillis + i * 20_000L).put("itemId", "item-" + value + "-" + i).put("categoryId", "cat" + (i % 4));
        if (carry && type.equals("userId")) e.put("anonymousId", value.replace("idc-cust-", "idc-") + "-c");
        if (carry && value.endsWith("-b")) e.putObject("identities").put("device", value.substring(0, value.length() - 1) + "d1");
      }
    }
    calls.events(Http.JSON.writeValueAsBytes(body), "events " + from + ".. of " + identities);
    return null;
  }

  /** Profile keys a claim names. */
  private static Set<String> claimKeys(JsonNode claim) {
    Set<String> keys = new HashSet<>();
    if (claim.has("userId")) keys.add(claim.get("userId").asText());
    if (claim.has("anonymousId")) keys.add("~anonymousId:" + claim.get("anonymousId").asText());
    claim.path("identities").fields().forEachRemaining(e -> keys.add("~" + e.getKey() + ":" + e.getValue().asText()));
    return keys;
  }

  /** What differs from the merged graph: per person, identity and node. */
  private static List<String> merged(List<Person> people, LocalCluster cluster, ExecutorService pool) throws Exception {
    List<Future<List<String>>> checks = new ArrayList<>();
    for (Person p : people) {
      checks.add(pool.submit(() -> {
        List<String> diffs = new ArrayList<>();
        Map<String, List<String>> want = new TreeMap<>();
        want.put("anonymousId", p.anonymous());
        want.put("device", p.devices());
        want.put("userId", List.of(p.customer()));
        long events = (long) p.eventIdentities().size() * EVENTS_PER_IDENTITY;
        for (NodeProcess node : cluster.nodes()) {
          for (String identity : p.identities()) {
            JsonNode profile = read(node, p, identity);
            String where = p.customer() + " by " + identity + " on node " + node.index + ": ";
            if (profile == null) {
              diffs.add(where + "unreadable");
              continue;
            }
            String userId = profile.path("userId").asText();
            long count = profile.path("eventCount").asLong(-1);
            Map<String, List<String>> got = identities(profile);
            if (!userId.equals(p.customer()) || count != events || !got.equals(want))
              diffs.add(where + "userId " + userId + ", eventCount " + count + " (want " + events + "), identities " + got);
          }
        }
        return diffs;
      }));
    }
    List<String> all = new ArrayList<>();
    for (Future<List<String>> f : checks) all.addAll(f.get());
    return all;
  }

  /** What differs, for people whose first anonymous id was split off, from two profiles that add up. */
  private static List<String> splitApart(List<Person> people, LocalCluster cluster) {
    List<String> diffs = new ArrayList<>();
    for (Person p : people) {
      String splitOff = "anonymousId:" + p.anonymous().get(0);
      for (NodeProcess node : cluster.nodes()) {
        String where = p.customer() + " on node " + node.index + ": ";
        JsonNode customer = read(node, p, "userId:" + p.customer());
        JsonNode other = read(node, p, splitOff);
        if (customer == null || other == null) {
          diffs.add(where + "unreadable");
          continue;
        }
        Set<String> ofCustomer = flat(identities(customer));
        Set<String> ofOther = flat(identities(other));
        String c = customer.path("userId").asText();
        String o = other.path("userId").asText();
        if (!c.equals(p.customer()) || o.equals(c)) diffs.add(where + "canonical ids " + c + " and " + o);
        if (!ofOther.contains(splitOff)) diffs.add(where + splitOff + " not in its own profile's identities " + ofOther);
        Set<String> both = new TreeSet<>(ofCustomer);
        both.addAll(ofOther);
        if (!both.equals(p.identities()) || ofCustomer.size() + ofOther.size() != both.size())
          diffs.add(where + "identities " + ofCustomer + " and " + ofOther + " do not partition " + p.identities());
        long cCount = customer.path("eventCount").asLong(-1);
        long oCount = other.path("eventCount").asLong(-1);
        if (cCount != eventsOf(ofCustomer) || oCount != eventsOf(ofOther) || cCount + oCount != 4L * EVENTS_PER_IDENTITY)
          diffs.add(where + "eventCount " + cCount + " (want " + eventsOf(ofCustomer) + ") and " + oCount + " (want " + eventsOf(ofOther) + ")");
        // Every identity resolves to the profile that lists it.
        for (String identity : p.identities()) {
          JsonNode r = read(node, p, identity);
          String want = ofCustomer.contains(identity) ? c : o;
          if (r == null || !r.path("userId").asText().equals(want))
            diffs.add(where + identity + " resolves to " + (r == null ? "nothing" : r.path("userId").asText()) + ", not " + want);
        }
      }
    }
    return diffs;
  }

  /** Events sent under the identities listed (devices carry none). */
  private static long eventsOf(Set<String> identities) {
    return identities.stream().filter(i -> i.startsWith("userId:") || i.startsWith("anonymousId:")).count() * EVENTS_PER_IDENTITY;
  }

  private static JsonNode read(NodeProcess node, Person p, String identity) {
    String url = identity.startsWith("userId:") ? node.baseUrl() + "/v1/profiles/" + identity.substring("userId:".length())
        : node.baseUrl() + "/v1/profiles/_?identity=" + identity;
    Http.Response r = Http.get(url, Duration.ofSeconds(15));
    return r.ok() ? r.json() : null;
  }

  private static Map<String, List<String>> identities(JsonNode profile) {
    Map<String, List<String>> m = new TreeMap<>();
    profile.path("identities").fields().forEachRemaining(e -> {
      List<String> values = new ArrayList<>();
      e.getValue().forEach(v -> values.add(v.asText()));
      Collections.sort(values);
      m.put(e.getKey(), values);
    });
    return m;
  }

  private static Set<String> flat(Map<String, List<String>> identities) {
    Set<String> s = new TreeSet<>();
    identities.forEach((t, values) -> values.forEach(v -> s.add(t + ":" + v)));
    return s;
  }

  /** Waits (a load schedule, not a synchronisation) until {@code seconds} after {@code start}. */
  private static void paceUntil(long start, double seconds) throws InterruptedException {
    long wait = start + (long) (seconds * 1e9) - System.nanoTime();
    if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
  }

  /** Polls {@code differences} until it answers none; returns its last answer at the deadline. */
  private List<String> awaitNone(String what, Duration timeout, Callable<List<String>> differences) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (int round = 1; ; round++) {
      List<String> d = differences.call();
      if (d.isEmpty()) {
        if (round > 1) figures.put("polls until: " + what, "%d", round);
        return d;
      }
      if (round == 1) figures.put("first poll: " + what, "%d differences, e.g. %s", d.size(), d.get(0));
      if (System.nanoTime() > deadline) {
        System.out.printf("identity-cluster: timed out after %d s: %s (%d differences)%n", timeout.toSeconds(), what, d.size());
        return d.subList(0, Math.min(20, d.size()));
      }
      Thread.sleep(500);
    }
  }

  private static void awaitTrue(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out after " + timeout.toSeconds() + " s: " + what);
      Thread.sleep(20);
    }
  }

  private static double secondsSince(long nanos) {
    return (System.nanoTime() - nanos) / 1e9;
  }
}
