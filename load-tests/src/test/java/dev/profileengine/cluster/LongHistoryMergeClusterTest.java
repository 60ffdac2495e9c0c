package dev.profileengine.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import dev.profileengine.data.BehaviorRow;
import dev.profileengine.data.SampleFiles;
import dev.profileengine.data.TaobaoCsv;
import dev.profileengine.engine.ProfileShards;
import dev.profileengine.gateway.replay.Replayer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A merge and an unmerge of two long histories whose profiles live on different nodes (2 nodes,
 * PostgreSQL journal, remoting over TLS): the steps between them must not carry the histories,
 * which would exceed the remote frame size. Each side holds the whole histories of real Taobao
 * users, at least {@link #MIN_EVENTS} events; the identify and the unmerge must each answer within
 * {@link #STEP_LIMIT}, the merged profile must equal the profile of all rows sent under one id, and
 * after the unmerge each side must equal what it was before the merge. Before that, the largest
 * request of one user's events a client may send (1 MiB) goes to the node without the user's
 * shard, so it crosses nodes whole.
 *
 * <p>Knob: {@code failover.jar}. Node logs: {@code target/long-history-merge/}.
 */
class LongHistoryMergeClusterTest {
  private static final int NODES = 2;
  private static final int MIN_EVENTS = 1_600;
  private static final Duration STEP_LIMIT = Duration.ofSeconds(8);
  private static final int BATCH = 500;
  /** Events of one full request (every field at its longest): just under the 1 MiB body limit. */
  private static final int FULL_EVENTS = 620;
  private static final Path RUN_DIR = Path.of("target", "long-history-merge");

  private final Figures figures = new Figures("long-history-merge");

  @Test
  @Timeout(value = 400, unit = TimeUnit.SECONDS)
  void longHistoriesOnDifferentNodesMergeAndSplitWithinSeconds() throws Exception {
    long t0 = System.nanoTime();
    List<List<BehaviorRow>> sides = twoHistories();
    Path jar = Path.of(System.getProperty("failover.jar", Path.of("..", "api-gateway", "target", "profile-engine.jar").toString()));
    try (LocalCluster cluster = LocalCluster.start(RUN_DIR, jar, NODES)) {
      cluster.awaitReady(Duration.ofSeconds(150), cluster.nodes().toArray(NodeProcess[]::new));
      cluster.awaitMembersUp(NODES, Duration.ofSeconds(90));
      cluster.nodes().forEach(n -> n.routable(true));
      figures.put("cluster start (PostgreSQL + 2 nodes Up)", "%.1f s", secondsSince(t0));

      // The customer's profile on node 1, the anonymous one on node 2, by where their shards are.
      int shards = ConfigFactory.parseResources("engine-cluster.conf").resolve().getInt("akka.cluster.sharding.number-of-shards");
      ProfileShards shardOf = new ProfileShards(shards);
      Map<Integer, Set<Integer>> hosted = awaitAllShardsPlaced(cluster, shards);
      String customer = firstId("lh-cust-", id -> hosted.get(1).contains(shard(shardOf, id)));
      String anonymous = firstId("lh-anon-", id -> hosted.get(2).contains(shard(shardOf, "~anonymousId:" + id)));
      figures.put("profiles", "%s (node 1, %d events), anonymousId %s (node 2, %d events)", customer, sides.get(0).size(), anonymous,
          sides.get(1).size());

      // The largest request one user's events may come in crosses nodes whole (one RecordEvents).
      String wide = firstId("lh-wide-", id -> hosted.get(2).contains(shard(shardOf, id)));
      byte[] full = fullRequest(wide);
      long fullFrom = System.nanoTime();
      Http.Response fullAnswer = Http.postJson(cluster.node(1).baseUrl() + "/v1/events", full, Duration.ofSeconds(30));
      figures.put("full request to the other node", "%d events of %s, %d bytes: HTTP %d in %.2f s", FULL_EVENTS, wide, full.length,
          fullAnswer.status(), secondsSince(fullFrom));
      assertEquals(200, fullAnswer.status(), fullAnswer.body());
      for (JsonNode r : fullAnswer.json().path("results")) assertEquals("accepted", r.path("status").asText(), r.toString());

      RetryingCalls calls = new RetryingCalls(cluster::routableUrls, Duration.ofSeconds(120));
      send(calls, "userId", customer, sides.get(0));
      send(calls, "anonymousId", anonymous, sides.get(1));
      List<BehaviorRow> all = new ArrayList<>(sides.get(0));
      all.addAll(sides.get(1));
      String reference = "lh-ref-all";
      send(calls, "userId", reference, all);
      assertEquals(List.of(), calls.failures(), "events");
      JsonNode customerBefore = read(cluster.node(1), "userId:" + customer);
      JsonNode anonymousBefore = read(cluster.node(2), "anonymousId:" + anonymous);
      assertEquals(sides.get(0).size(), customerBefore.path("eventCount").asInt(), "the customer's events");
      assertEquals(sides.get(1).size(), anonymousBefore.path("eventCount").asInt(), "the anonymous id's events");

      // The merge: one call, answered within the limit (no retry hides a step that never ends).
      byte[] claim = Http.JSON.writeValueAsBytes(Http.JSON.createObjectNode().put("userId", customer).put("anonymousId", anonymous));
      long mergeFrom = System.nanoTime();
      Http.Response merged = Http.postJson(cluster.node(1).baseUrl() + "/v1/identify", claim, STEP_LIMIT);
      double mergeSeconds = secondsSince(mergeFrom);
      figures.put("identify", "HTTP %d in %.2f s", merged.status(), mergeSeconds);
      assertEquals(200, merged.status(), "identify: " + merged.body());
      JsonNode want = withoutNames(read(cluster.node(1), "userId:" + reference));
      for (NodeProcess node : cluster.nodes()) {
        for (String identity : List.of("userId:" + customer, "anonymousId:" + anonymous)) {
          JsonNode profile = read(node, identity);
          assertEquals(customer, profile.path("userId").asText(), identity + " on node " + node.index + " resolves to the customer");
          assertEquals(want, withoutNames(profile), "merged profile read by " + identity + " on node " + node.index);
        }
      }

      // The unmerge: both sides as they were before the merge.
      byte[] split = Http.JSON.writeValueAsBytes(Http.JSON.createObjectNode().put("anonymousId", anonymous));
      long splitFrom = System.nanoTime();
      Http.Response unmerged = Http.postJson(cluster.node(2).baseUrl() + "/v1/profiles/" + customer + "/unmerge", split, STEP_LIMIT);
      figures.put("unmerge", "HTTP %d in %.2f s", unmerged.status(), secondsSince(splitFrom));
      assertEquals(200, unmerged.status(), "unmerge: " + unmerged.body());
      for (NodeProcess node : cluster.nodes()) {
        JsonNode c = read(node, "userId:" + customer);
        JsonNode a = read(node, "anonymousId:" + anonymous);
        assertEquals(customer, c.path("userId").asText(), "the customer's canonical id on node " + node.index);
        assertEquals("~anonymousId:" + anonymous, a.path("userId").asText(), "the anonymous id's canonical id on node " + node.index);
        assertEquals(withoutNames(customerBefore), withoutNames(c), "the customer after the unmerge, on node " + node.index);
        assertEquals(withoutNames(anonymousBefore), withoutNames(a), "the anonymous id after the unmerge, on node " + node.index);
      }
      figures.put("wall time", "%.1f s", secondsSince(t0));
    } finally {
      System.out.println(figures.summary());
      figures.write(RUN_DIR.resolve("figures.txt"));
    }
  }

  /**
   * A request of {@link #FULL_EVENTS} events of {@code user} with every field at its longest, just
   * under the gateway's 1 MiB body limit.
   */
  private static byte[] fullRequest(String user) throws Exception {
    String l = "x".repeat(128);
    long start = System.currentTimeMillis() - Duration.ofHours(1).toMillis();
    ArrayNode body = Http.JSON.createArrayNode();
    for (int i = 0; i < FULL_EVENTS; i++) {
      ObjectNode e = body.addObject().put("eventId", String.format("%0128d", i)).put("userId", user).put("type", "purchase")
          .put("timestamp", start + i * 1000L).put("itemId", l).put("categoryId", l).put("brand", l).put("price", 19.99)
          .put("quantity", 2).put("query", l).put("dwellMs", 1200).put("pageDepth", 3);
      e.putObject("context").put("device", l).put("os", l).put("channel", l).put("country", l).put("city", l).put("network", l);
    }
    byte[] bytes = Http.JSON.writeValueAsBytes(body);
    assertTrue(bytes.length < 1024 * 1024, "the request fits the body limit: " + bytes.length);
    return bytes;
  }

  /** Two disjoint sets of whole real histories of at least {@link #MIN_EVENTS} rows each, each in (time, event id) order. */
  private static List<List<BehaviorRow>> twoHistories() {
    Map<String, List<BehaviorRow>> byUser = new LinkedHashMap<>();
    for (BehaviorRow r : TaobaoCsv.read(SampleFiles.find(SampleFiles.USERS), bad -> {})) byUser.computeIfAbsent(r.userId(), k -> new ArrayList<>()).add(r);
    List<List<BehaviorRow>> sides = List.of(new ArrayList<>(), new ArrayList<>());
    Set<String> ids = new HashSet<>();
    int side = 0;
    for (List<BehaviorRow> rows : byUser.values()) {
      if (side == 2) break;
      // Rows that repeat an event id (same item, behavior and second) would count once: left out.
      for (BehaviorRow r : rows) if (ids.add(r.eventId())) sides.get(side).add(r);
      if (sides.get(side).size() >= MIN_EVENTS) side++;
    }
    assertEquals(2, side, "not enough sample rows for two histories of " + MIN_EVENTS);
    for (List<BehaviorRow> rows : sides) rows.sort(Comparator.comparingLong(BehaviorRow::epochSecond).thenComparing(BehaviorRow::eventId));
    return sides;
  }

  /** Sends {@code rows} in (time, event id) order under the identity {@code type}: {@code value}. */
  private static void send(RetryingCalls calls, String type, String value, List<BehaviorRow> rows) throws Exception {
    List<BehaviorRow> sorted = new ArrayList<>(rows);
    sorted.sort(Comparator.comparingLong(BehaviorRow::epochSecond).thenComparing(BehaviorRow::eventId));
    for (int i = 0; i < sorted.size(); i += BATCH) {
      ArrayNode body = Http.JSON.createArrayNode();
      for (BehaviorRow r : sorted.subList(i, Math.min(sorted.size(), i + BATCH))) {
        ObjectNode e = Replayer.toJson(r);
        e.remove("userId");
        e.put(type, value);
        body.add(e);
      }
      calls.events(Http.JSON.writeValueAsBytes(body), "events " + i + ".. of " + type + ":" + value);
    }
  }

  /** Every node's hosted shards, once each of the shards is hosted by one node. */
  private static Map<Integer, Set<Integer>> awaitAllShardsPlaced(LocalCluster cluster, int shards) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      Map<Integer, Set<Integer>> hosted = new LinkedHashMap<>();
      Set<Integer> union = new HashSet<>();
      for (NodeProcess n : cluster.nodes()) {
        hosted.put(n.index, n.shards());
        union.addAll(hosted.get(n.index));
      }
      if (union.size() == shards) return hosted;
      if (System.nanoTime() > deadline) throw new AssertionError("only " + union.size() + " of " + shards + " shards placed after 60 s");
      Thread.sleep(250);
    }
  }

  private static int shard(ProfileShards shardOf, String key) {
    return Integer.parseInt(shardOf.shardId(key));
  }

  private static String firstId(String prefix, Predicate<String> fits) {
    for (int i = 0; i < 10_000; i++) if (fits.test(prefix + i)) return prefix + i;
    throw new AssertionError("no id " + prefix + "N fits");
  }

  private static JsonNode read(NodeProcess node, String identity) {
    String url = identity.startsWith("userId:") ? node.baseUrl() + "/v1/profiles/" + identity.substring("userId:".length())
        : node.baseUrl() + "/v1/profiles/_?identity=" + identity;
    Http.Response r = Http.get(url, Duration.ofSeconds(15));
    assertTrue(r.ok(), identity + " on node " + node.index + ": HTTP " + r.status() + " " + r.body());
    return r.json();
  }

  /** The profile as JSON but for the id and identities that name it. */
  private static JsonNode withoutNames(JsonNode profile) {
    ObjectNode copy = profile.deepCopy();
    copy.remove("userId");
    copy.remove("identities");
    return copy;
  }

  private static double secondsSince(long nanos) {
    return (System.nanoTime() - nanos) / 1e9;
  }
}
