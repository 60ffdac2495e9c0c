package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profileengine.data.BehaviorRow;
import dev.profileengine.engine.ProfileShards;
import dev.profileengine.gateway.replay.Replayer;
import dev.profileengine.gateway.wire.Json;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * Every page of the console against a three-node cluster (PostgreSQL journal, TLS remoting, one
 * shared registry) loaded with real Taobao users whose profiles live on all three nodes; each page
 * is opened on one node and checked against the API of another: the explorer on node c follows a
 * user of node a's shards and shows an event posted to node b, the stream shows writes made through
 * another node, segments and their members, what each node serves (and an activation reaching all
 * three), and the members with their shards and live profiles. One cluster for all steps, in order.
 * Screenshots: explorer-, stream-, segments-, models-, cluster-3-nodes.png.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleClusterBrowserTest {
  private static final String KEY = ApiKeysTest.ADMIN_KEY;
  private static final String BEARER = "Bearer " + KEY;
  private static final int USERS = 40;

  @TempDir
  static Path dir;
  static PostgresCluster cluster;
  static TestNode a;
  static TestNode b;
  static TestNode c;
  static List<String> users;
  static ConsoleBrowser console;
  static ChromeDriver browser;

  @BeforeAll
  static void start() throws Exception {
    long t0 = System.nanoTime();
    Path registry = dir.resolve("models");
    TestRegistry.version(registry, "nb-gru-v1", true);
    TestRegistry.version(registry, "nb-gru-v2", true);
    TestRegistry.activate(registry, "nb-gru-v1");
    Chromium.ensureInstalled();
    cluster = PostgresCluster.start(dir, 3, Map.of(
        "profile.model.registry-dir", registry.toString(),
        "profile.model.workers", 1,
        "profile.http.api-keys", List.of(KEY + "=admin"),
        // A batch retried after a partly unconfirmed answer lands in place, never too late.
        "profile.allowed-lateness", "3650d"));
    TestNode.awaitShardsPlaced(cluster.nodes(), 256, KEY);
    a = cluster.node(0);
    b = cluster.node(1);
    c = cluster.node(2);
    long t1 = System.nanoTime();
    // Whole histories of the first users of the per-user sample, replayed into node b: each lands on its shard's node.
    SampleUsers sample = SampleUsers.first(USERS);
    List<BehaviorRow> rows = sample.rows();
    users = sample.users();
    Replayer.Progress done = b.replay(rows, KEY);
    assertEquals(0, done.rejected(), "every row stored: " + done);
    assertEquals(rows.size(), done.accepted() + done.duplicates(), "every row stored once: " + done);
    long t2 = System.nanoTime();
    console = ConsoleBrowser.start(dir.resolve("browser"), Duration.ofSeconds(30));
    browser = console.driver();
    System.out.printf("3-node console setup: cluster %.1f s, %d rows %.1f s, browser %.1f s%n",
        (t1 - t0) / 1e9, rows.size(), (t2 - t1) / 1e9, (System.nanoTime() - t2) / 1e9);
  }

  @AfterAll
  static void stop() throws Exception {
    if (console != null) console.close();
    if (cluster != null) cluster.close();
  }

  // ---------------------------------------------------------------- helpers

  /** Opens the console of {@code node} at {@code query}; gives the key when that node's origin has none in this tab yet. */
  private static void open(TestNode node, String query) throws Exception {
    browser.get(node.base + "/console/" + query);
    console.await().until(d -> browser.findElement(By.id("app")).isDisplayed() || browser.findElement(By.id("api-key")).isDisplayed());
    if (!browser.findElement(By.id("app")).isDisplayed()) console.signIn(KEY);
  }

  private static JsonNode api(TestNode node, String path) throws Exception {
    HttpResponse<String> r = node.get(path, BEARER);
    assertEquals(200, r.statusCode(), path + ": " + r.body());
    return Json.MAPPER.readTree(r.body());
  }

  private static JsonNode profile(TestNode node, String user) throws Exception {
    return api(node, "/v1/profiles/" + URLEncoder.encode(user, StandardCharsets.UTF_8).replace("+", "%20"));
  }

  private static void post(TestNode node, String eventId, String user, String type, Instant at) throws Exception {
    HttpResponse<String> r = node.send("POST", "/v1/events", Json.MAPPER.writeValueAsString(Map.of("eventId", eventId, "userId", user,
        "type", type, "timestamp", at.toEpochMilli(), "itemId", "item-" + eventId, "categoryId", "c-" + eventId)), BEARER);
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(1, Json.MAPPER.readTree(r.body()).get("accepted").asInt(), r.body());
  }

  private static String address(TestNode node) throws Exception {
    return api(node, "/v1/cluster/members").get("self").asText();
  }

  /** The address of the node hosting {@code user}'s shard, as the cluster's shard owners say (the engine's shard function). */
  private static String ownerOf(String user) throws Exception {
    JsonNode shards = api(a, "/v1/cluster/shards");
    String shard = new ProfileShards(shards.get("shards").asInt()).shardId(user);
    for (Iterator<Map.Entry<String, JsonNode>> it = shards.get("owners").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> owner = it.next();
      for (JsonNode s : owner.getValue()) if (s.asText().equals(shard)) return owner.getKey();
    }
    return null;
  }

  private static String userOn(TestNode node) throws Exception {
    String at = address(node);
    for (String u : users) if (at.equals(ownerOf(u))) return u;
    throw new AssertionError("no loaded user on " + at);
  }

  /** Every member of a segment through {@code node}'s API, page by page. */
  private static Set<String> members(TestNode node, String segment) throws Exception {
    Set<String> all = new TreeSet<>();
    String after = null;
    do {
      JsonNode page = api(node, "/v1/segments/" + segment + "/members?limit=500" + (after == null ? "" : "&after=" + after));
      for (JsonNode m : page.get("members")) assertTrue(all.add(m.get("userId").asText()), "listed twice: " + m);
      after = page.hasNonNull("next") ? page.get("next").asText() : null;
    } while (after != null);
    return all;
  }

  private static Map<String, Long> segmentCounts(TestNode node) throws Exception {
    Map<String, Long> counts = new TreeMap<>();
    for (JsonNode s : api(node, "/v1/segments").get("segments")) counts.put(s.get("id").asText(), s.get("members").asLong());
    return counts;
  }

  // ---------------------------------------------------------------- steps

  @Test
  @Order(1)
  void theLoadedProfilesLiveOnEveryNode() throws Exception {
    Set<String> owners = new TreeSet<>();
    for (String u : users) owners.add(String.valueOf(ownerOf(u)));
    assertEquals(new TreeSet<>(List.of(address(a), address(b), address(c))), owners, "the users' shards are spread over the three nodes");
  }

  @Test
  @Order(2)
  void theExplorerOnOneNodeFollowsAUserOfAnotherAndAnEventPostedToAThird() throws Exception {
    String user = userOn(a);
    open(c, "?user=" + user);
    console.await().until(ExpectedConditions.textToBe(By.id("profile-user"), user));
    console.await().until(ExpectedConditions.textToBe(By.id("live-status"), "live"));
    JsonNode p = profile(b, user);
    console.assertCountsShown(user, p);
    assertTrue(console.text("#profile-summary").contains(p.get("eventCount").asText()), console.text("#profile-summary"));

    // Posted to node b, stored on node a, shown on node c: the change stream crosses the cluster.
    int purchases = p.get("counts").get("lifetime").get("purchase").asInt();
    post(b, "console-3-live-1", user, "purchase", Instant.parse(p.get("lastEventTime").asText()).plusSeconds(1));
    long posted = System.nanoTime();
    console.waitUpTo(Duration.ofSeconds(5)).until(ExpectedConditions.presenceOfElementLocated(
        By.xpath("//ol[@id='changes']/li[contains(., 'console-3-live-1')]")));
    System.out.printf("3-node console: an event posted to node b shown on node c after %d ms%n", (System.nanoTime() - posted) / 1_000_000);
    console.await().until(ExpectedConditions.textToBe(By.cssSelector("#counts td[data-window='lifetime'][data-type='purchase']"), Integer.toString(purchases + 1)));
    console.screenshot("explorer-3-nodes");
    console.assertNoPolicyViolations();
  }

  @Test
  @Order(3)
  void theStreamOnOneNodeShowsWritesMadeThroughAnother() throws Exception {
    String user = userOn(b);
    Instant at = Instant.parse(profile(a, user).get("lastEventTime").asText());
    open(a, "?page=stream&cause=event&from=0&user=" + user);
    console.await().until(ExpectedConditions.textToBe(By.id("stream-status"), "live"));
    post(c, "console-3-stream-1", user, "cart", at.plusSeconds(1));
    console.await().until(ExpectedConditions.presenceOfElementLocated(By.xpath("//tbody[@id='stream-rows']/tr[contains(., 'console-3-stream-1')]")));
    List<List<String>> rows = console.streamRows();
    assertTrue(rows.size() > 1, "the user's history and the new event: " + rows);
    for (List<String> row : rows) assertEquals(List.of(user, "event"), row, "filtered to the user and the cause");
    assertTrue(Long.parseLong(console.text("#stream-offset")) > 0, "the current offset is shown");
    console.screenshot("stream-3-nodes");
    console.assertNoPolicyViolations();
  }

  @Test
  @Order(4)
  void segmentsOnOneNodeAgreeWithTheApiOfAnother() throws Exception {
    // Once the projection has caught up: the same counts twice, 1.5 s apart.
    Map<String, Long> counts = segmentCounts(c);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      Thread.sleep(1500);
      Map<String, Long> again = segmentCounts(c);
      if (again.equals(counts)) break;
      counts = again;
    }
    Map<String, Long> settled = counts;
    open(b, "?page=segments");
    console.await().until(d -> {
      @SuppressWarnings("unchecked")
      List<List<String>> shown = (List<List<String>>) browser.executeScript(
          "return Array.from(document.querySelectorAll('#segment-table tbody tr')).map(tr => [tr.dataset.segment, tr.children[4].textContent])");
      Map<String, Long> page = new TreeMap<>();
      for (List<String> row : shown) page.put(row.get(0), Long.parseLong(row.get(1)));
      if (page.equals(settled)) return true;
      browser.findElement(By.cssSelector("#nav button[data-page='segments']")).click(); // read the page again
      return false;
    });
    String id = settled.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    Set<String> expected = members(c, id);
    assertEquals(settled.get(id).longValue(), expected.size(), "the count is the members listed");
    assertTrue(expected.size() > 10, "a segment of more than one page: " + settled);
    Set<String> seen = console.pageThroughMembers(id, "segments-3-nodes");
    assertEquals(expected, new TreeSet<>(seen), "the pages on node b hold every member node c lists, once");
    console.assertNoPolicyViolations();
  }

  /** node -> version it serves, as the models page shows them. */
  @SuppressWarnings("unchecked")
  private static Map<String, String> shownNodes() {
    List<List<String>> rows = (List<List<String>>) browser.executeScript(
        "return Array.from(document.querySelectorAll('#model-nodes tbody tr')).map(tr => [tr.children[0].textContent, tr.children[1].textContent])");
    Map<String, String> out = new TreeMap<>();
    for (List<String> r : rows) out.put(r.get(0), r.get(1));
    return out;
  }

  private static Map<String, String> apiNodes(TestNode node) {
    try {
      Map<String, String> out = new TreeMap<>();
      for (JsonNode n : api(node, "/v1/models").get("nodes")) out.put(n.get("node").asText(), n.get("serving").asText());
      return out;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits until the models page shows three nodes, each serving {@code version}, as node {@code other}'s API says; reads the page again meanwhile. */
  private static void awaitModelsPageServing(String version, TestNode other) {
    console.await().until(d -> {
      Map<String, String> shown = shownNodes();
      if (shown.size() == 3 && shown.values().stream().allMatch(version::equals) && shown.equals(apiNodes(other))) return true;
      browser.findElement(By.cssSelector("#nav button[data-page='models']")).click(); // read the page again
      return false;
    });
  }

  @Test
  @Order(5)
  void theModelsPageListsTheThreeNodesAndFollowsAnActivation() throws Exception {
    open(b, "?page=models");
    awaitModelsPageServing("nb-gru-v1", c);
    for (String v : List.of("nb-gru-v1", "nb-gru-v2"))
      console.await().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#evaluations .evaluation[data-version='" + v + "'] svg.reliability")));

    // An activation confirmed on node b reaches every node; the page, read again, shows all three serving it.
    browser.findElement(By.cssSelector("#model-versions tr[data-version='nb-gru-v2'] button.activate")).click();
    console.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("model-action-confirm"))).click();
    console.await().until(d -> console.text("#model-action-result").startsWith("Stored") || console.text("#model-action-result").startsWith("Refused"));
    assertTrue(console.text("#model-action-result").startsWith("Stored"), console.text("#model-action-result"));
    awaitModelsPageServing("nb-gru-v2", c);
    for (TestNode n : cluster.nodes()) assertEquals("nb-gru-v2", api(n, "/v1/models").get("serving").asText());
    browser.executeScript("arguments[0].scrollIntoView()", browser.findElement(By.id("model-nodes")));
    console.screenshot("models-3-nodes");
    console.assertNoPolicyViolations();
  }

  /** address -> [status, shards, active profiles] as the cluster page shows them. */
  @SuppressWarnings("unchecked")
  private static Map<String, List<String>> shownMembers() {
    List<List<String>> rows = (List<List<String>>) browser.executeScript("return Array.from(document.querySelectorAll('#cluster-members tbody tr'))"
        + ".map(tr => [tr.dataset.address].concat(['status', 'shards', 'activeProfiles'].map(f => tr.querySelector(`td[data-field='${f}']`).textContent)))");
    Map<String, List<String>> out = new TreeMap<>();
    for (List<String> r : rows) out.put(r.get(0), r.subList(1, 4));
    return out;
  }

  @Test
  @Order(6)
  void theClusterPageShowsThreeMembersWithTheShardsAndProfilesTheApiReports() throws Exception {
    open(a, "?page=cluster");
    Map<String, List<String>> expected = new TreeMap<>();
    console.await().until(d -> {
      try {
        expected.clear();
        for (JsonNode m : api(b, "/v1/cluster/members").get("members"))
          expected.put(m.get("address").asText(), List.of(m.get("status").asText(), m.path("shards").asText(), m.path("activeProfiles").asText()));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      return shownMembers().equals(expected);
    });
    assertEquals(3, expected.size(), expected.toString());
    long profiles = 0;
    for (List<String> m : expected.values()) {
      assertEquals("Up", m.get(0), expected.toString());
      assertTrue(Integer.parseInt(m.get(1)) > 0, "every node hosts shards: " + expected);
      assertTrue(Long.parseLong(m.get(2)) > 0, "every node holds live profiles: " + expected);
      profiles += Long.parseLong(m.get(2));
    }
    assertTrue(profiles >= USERS, "every loaded user is alive somewhere (idle profiles passivate only after minutes): " + expected);
    assertTrue(console.text("#cluster-summary").contains("members3"), console.text("#cluster-summary"));
    assertTrue(console.text("#cluster-summary").contains(address(a)), "opened on node a: " + console.text("#cluster-summary"));
    console.screenshot("cluster-3-nodes");
    console.assertNoPolicyViolations();
  }
}
