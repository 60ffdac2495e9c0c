package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profileengine.data.BehaviorRow;
import dev.profileengine.gateway.replay.Replayer;
import dev.profileengine.gateway.wire.Json;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

/**
 * The operator console in a real headless Chromium against a real node (API keys on) loaded with
 * real Taobao users: the explorer agrees with the API, a new event shows within a second, the live
 * stream filters and pauses without losing changes, segments page, the cluster page agrees with the
 * API and shows this node's rates, a wrong key is refused, a lookup by a linked identity shows the
 * canonical profile and its identities as they are linked, and markup in ids, identities,
 * categories and attributes stays text. Screenshots go to target/console-screenshots.
 */
class ConsoleBrowserTest {
  private static final String KEY = ApiKeysTest.ADMIN_KEY;
  private static final String BEARER = "Bearer " + KEY;
  private static final int USERS = 40;

  @TempDir
  static Path dataDir;
  @TempDir
  static Path browserDir;
  static TestNode node;
  static ConsoleBrowser console;
  static ChromeDriver browser;
  static List<String> users;

  @BeforeAll
  static void start() throws Exception {
    long t0 = System.nanoTime();
    Chromium.ensureInstalled();
    // Lateness of years: a batch retried after a partly unconfirmed answer lands in place, never too late.
    node = TestNode.start(dataDir, Map.of("profile.http.api-keys", List.of(KEY + "=admin"), "profile.allowed-lateness", "3650d"));
    long t1 = System.nanoTime();
    // Whole histories of the first users in the per-user sample, in file order.
    SampleUsers sample = SampleUsers.first(USERS);
    List<BehaviorRow> rows = sample.rows();
    users = sample.users();
    Replayer.Progress done = new Replayer(new Replayer.Options(node.base, 500, 4, 8, KEY)).run(rows, p -> {});
    assertEquals(0, done.rejected(), "every row stored: " + done);
    assertEquals(rows.size(), done.accepted() + done.duplicates(), "every row stored once: " + done);
    long t2 = System.nanoTime();
    console = ConsoleBrowser.start(browserDir, Duration.ofSeconds(15));
    browser = console.driver();
    System.out.printf("console test setup: node %.1f s, %d rows %.1f s, browser %.1f s%n",
        (t1 - t0) / 1e9, rows.size(), (t2 - t1) / 1e9, (System.nanoTime() - t2) / 1e9);
  }

  @AfterAll
  static void stop() {
    if (console != null) console.close();
    if (node != null) node.close();
  }

  private static String url(String query) {
    return node.base + "/console/" + query;
  }

  private static JsonNode profile(String user) throws Exception {
    HttpResponse<String> r = node.get("/v1/profiles/" + URLEncoder.encode(user, StandardCharsets.UTF_8).replace("+", "%20"), BEARER);
    assertEquals(200, r.statusCode(), r.body());
    return Json.MAPPER.readTree(r.body());
  }

  private static void post(String body) throws Exception {
    HttpResponse<String> r = node.send("POST", "/v1/events", body, BEARER);
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(1, Json.MAPPER.readTree(r.body()).get("accepted").asInt(), r.body());
  }

  private static String event(String eventId, String user, String type, Instant at, String category) throws Exception {
    return Json.MAPPER.writeValueAsString(Map.of("eventId", eventId, "userId", user, "type", type,
        "timestamp", at.toEpochMilli(), "itemId", "item-" + eventId, "categoryId", category));
  }

  /** An event of an anonymous visitor (no user id), with typed identities it links. */
  private static void postAnonymous(String eventId, String anonymousId, Map<String, String> identities, Instant at) throws Exception {
    post(Json.MAPPER.writeValueAsString(Map.of("eventId", eventId, "anonymousId", anonymousId, "identities", identities, "type", "view",
        "timestamp", at.toEpochMilli(), "itemId", "item-" + eventId, "categoryId", "c-anon")));
  }

  private static JsonNode identify(Map<String, Object> claim) throws Exception {
    HttpResponse<String> r = node.send("POST", "/v1/identify", Json.MAPPER.writeValueAsString(claim), BEARER);
    assertEquals(200, r.statusCode(), r.body());
    return Json.MAPPER.readTree(r.body());
  }

  /** The values the explorer's Identities section shows for {@code type}, read in one step; empty when it shows none. */
  @SuppressWarnings("unchecked")
  private static List<String> shownIdentities(String type) {
    return (List<String>) browser.executeScript("const row = Array.from(document.querySelectorAll('#identities tr')).find(tr => tr.dataset.type === arguments[0]);"
        + " return row ? Array.from(row.querySelectorAll('.identity')).map(s => s.textContent) : []", type);
  }

  /** Every member of a segment through the API, page by page. */
  private static Set<String> members(String segment) throws Exception {
    Set<String> all = new java.util.TreeSet<>();
    String after = null;
    do {
      HttpResponse<String> r = node.get("/v1/segments/" + segment + "/members?limit=500" + (after == null ? "" : "&after=" + after), BEARER);
      assertEquals(200, r.statusCode(), r.body());
      JsonNode page = Json.MAPPER.readTree(r.body());
      for (JsonNode m : page.get("members")) all.add(m.get("userId").asText());
      after = page.hasNonNull("next") ? page.get("next").asText() : null;
    } while (after != null);
    return all;
  }

  @Test
  void theConsoleFilesAreOpenCacheableAndUnderAStrictPolicy() throws Exception {
    java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
    HttpResponse<String> page = node.get("/console/");
    assertEquals(200, page.statusCode(), "the files hold no data: no key needed");
    assertEquals(page.body(), node.get("/console").body());
    assertEquals(page.body(), node.get("/console/?user=42").body());
    assertEquals(page.body(), node.get("/console/?identity=anonymousId:abc").body());
    String csp = page.headers().firstValue("Content-Security-Policy").orElseThrow();
    assertTrue(csp.contains("script-src 'self'") && csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"), csp);
    assertFalse(csp.contains("unsafe"), csp);
    assertEquals("nosniff", page.headers().firstValue("X-Content-Type-Options").orElseThrow());
    assertTrue(page.headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"));
    String etag = page.headers().firstValue("ETag").orElseThrow();
    HttpResponse<String> again = client.send(java.net.http.HttpRequest.newBuilder(node.base.resolve("/console/"))
        .header("If-None-Match", etag).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(304, again.statusCode(), "a reload revalidates without a body");

    HttpResponse<String> js = node.get("/console/console.js");
    assertEquals(200, js.statusCode());
    assertTrue(js.headers().firstValue("Content-Type").orElseThrow().startsWith("application/javascript"));
    assertFalse(js.body().contains("innerHTML") || js.body().contains("eval("), "data never parsed as markup or code");
    HttpResponse<String> metricsJs = node.get("/console/metrics.js");
    assertEquals(200, metricsJs.statusCode());
    assertFalse(metricsJs.body().contains("innerHTML") || metricsJs.body().contains("eval("), "data never parsed as markup or code");
    for (String bad : List.of("/console/nope.js", "/console/%2e%2e%2fapplication.conf", "/console/..%2Fopenapi%2Fopenapi.yaml", "/console/index.html/x")) {
      assertEquals(404, node.get(bad).statusCode(), bad);
    }
    assertEquals(401, node.get("/v1/segments").statusCode(), "the API stays closed");
  }

  @Test
  void theBrowserEnforcesThePolicyOnInlineScript() throws Exception {
    console.signIn(node.base, "", KEY);
    browser.manage().logs().get(LogType.BROWSER);
    // What an injection would have to do: an inline script element. The policy stops it, and says so.
    browser.executeScript("const s = document.createElement('script'); s.textContent = 'window.__inline = 1'; document.head.appendChild(s)");
    StringBuilder said = new StringBuilder();
    console.await().until(d -> {
      for (LogEntry e : browser.manage().logs().get(LogType.BROWSER)) said.append(e.getMessage()).append('\n');
      return said.toString().contains("Content Security Policy");
    });
    assertNull(browser.executeScript("return window.__inline === undefined ? null : window.__inline"), said.toString());
  }

  @Test
  void aWrongKeyIsRefusedAndTheRightOneOpensTheConsole() throws Exception {
    console.freshTab(url(""));
    console.enterKey("Zq8Wx3Lm5Np1Rt7Yv2Bc9Kd4Hf6Gj0Sa");
    WebElement refusal = console.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("login-error")));
    assertTrue(refusal.getText().startsWith("Refused"), refusal.getText());
    assertFalse(browser.findElement(By.id("app")).isDisplayed(), "no data pages behind a refused key");
    assertNull(browser.executeScript("return sessionStorage.getItem('profile-engine.api-key')"), "a refused key is not kept");
    console.screenshot("key-refused");

    console.signIn(KEY);
    assertEquals(KEY, browser.executeScript("return sessionStorage.getItem('profile-engine.api-key')"));
    assertNull(browser.executeScript("return localStorage.getItem('profile-engine.api-key')"), "only the tab keeps the key");
    browser.navigate().refresh();
    console.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("app")));
    assertFalse(browser.findElement(By.id("login")).isDisplayed(), "the tab keeps the key across a reload");
    console.assertNoPolicyViolations();
  }

  @Test
  void theExplorerShowsTheSameCountsAsTheApi() throws Exception {
    console.signIn(node.base, "", KEY);
    for (String user : List.of(users.get(0), users.get(7), users.get(23), users.get(37))) {
      browser.get(url("?user=" + user));
      console.await().until(ExpectedConditions.textToBe(By.id("profile-user"), user));
      JsonNode p = profile(user);
      // One read of the whole table: the page re-renders while the user's history streams in.
      console.assertCountsShown(user, p);
      assertTrue(console.requiredText("#profile-summary").contains(p.get("eventCount").asText()), console.requiredText("#profile-summary"));
      assertEquals(p.get("prediction").get("modelVersion").asText(), console.requiredText("#model-version"));
      if (user.equals(users.get(0))) console.screenshot("explorer");
    }
    console.assertNoPolicyViolations();
  }

  @Test
  void aNewEventShowsInTheOpenPageWithinASecond() throws Exception {
    String user = users.get(3);
    JsonNode before = profile(user);
    console.signIn(node.base, "?user=" + user, KEY);
    console.await().until(ExpectedConditions.textToBe(By.id("live-status"), "live"));
    console.await().until(ExpectedConditions.textToBe(By.cssSelector("#counts td[data-window='lifetime'][data-type='purchase']"),
        before.get("counts").get("lifetime").get("purchase").asText()));

    Instant at = Instant.parse(before.get("lastEventTime").asText()).plusSeconds(1);
    post(event("console-live-1", user, "purchase", at, "live-category"));
    long posted = System.nanoTime();
    console.waitUpTo(Duration.ofSeconds(1)).until(ExpectedConditions.presenceOfElementLocated(
        By.xpath("//ol[@id='changes']/li[contains(., 'console-live-1')]")));
    long shownMs = (System.nanoTime() - posted) / 1_000_000;
    assertTrue(shownMs <= 1000, "shown after " + shownMs + " ms");
    // The profile itself is read again: the purchase counts and the timeline show it.
    console.await().until(ExpectedConditions.textToBe(By.cssSelector("#counts td[data-window='lifetime'][data-type='purchase']"),
        Integer.toString(before.get("counts").get("lifetime").get("purchase").asInt() + 1)));
    console.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("timeline"), "live-category"));
    console.screenshot("explorer-live");
  }

  @Test
  void aUserWithoutAProfileAppearsWhenItsFirstEventArrives() throws Exception {
    console.signIn(node.base, "?user=console-newcomer", KEY);
    console.await().until(ExpectedConditions.presenceOfElementLocated(By.id("profile-missing")));
    console.await().until(ExpectedConditions.textToBe(By.id("live-status"), "live"));
    post(event("console-new-1", "console-newcomer", "cart", Instant.now().minusSeconds(5), "c-new"));
    console.await().until(ExpectedConditions.textToBe(By.id("profile-user"), "console-newcomer"));
    console.await().until(ExpectedConditions.textToBe(By.cssSelector("#counts td[data-window='lifetime'][data-type='cart']"), "1"));
  }

  @Test
  void theLiveStreamFiltersPausesAndResumesWithoutAGap() throws Exception {
    String user = users.get(5);
    Instant at = Instant.parse(profile(user).get("lastEventTime").asText());
    console.signIn(node.base, "?page=stream&cause=event&user=" + user, KEY);
    assertEquals(user, browser.findElement(By.id("stream-user")).getAttribute("value"), "filters from the link");
    assertEquals("event", new Select(browser.findElement(By.id("stream-cause"))).getFirstSelectedOption().getText());
    console.await().until(ExpectedConditions.textToBe(By.id("stream-status"), "live"));

    post(event("console-stream-1", user, "view", at.plusSeconds(1), "c-stream"));
    console.await().until(ExpectedConditions.presenceOfElementLocated(By.xpath("//tbody[@id='stream-rows']/tr[contains(., 'console-stream-1')]")));
    List<List<String>> rows = console.streamRows();
    assertTrue(rows.size() > 1, "the user's history and the new event");
    for (List<String> row : rows) assertEquals(List.of(user, "event"), row, "filtered to the user and the cause");
    long offset = Long.parseLong(console.requiredText("#stream-offset"));
    assertTrue(offset > 0, "the current offset is shown");

    browser.findElement(By.id("stream-toggle")).click();
    console.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("stream-status"), "paused at offset"));
    post(event("console-stream-2", user, "cart", at.plusSeconds(2), "c-stream"));
    browser.findElement(By.id("stream-toggle")).click();
    console.await().until(ExpectedConditions.presenceOfElementLocated(By.xpath("//tbody[@id='stream-rows']/tr[contains(., 'console-stream-2')]")));
    assertTrue(Long.parseLong(console.requiredText("#stream-offset")) > offset);
    console.await().until(d -> !console.requiredText("#stream-rate").equals("0.0"));
    console.screenshot("stream");
    console.assertNoPolicyViolations();
  }

  /** Opened by hand (no offset in the link), the stream starts at the journal's head: no history, then what comes. */
  @Test
  void theLiveStreamStartsAtTheHeadByDefault() throws Exception {
    String user = users.get(6);
    Instant at = Instant.parse(profile(user).get("lastEventTime").asText());
    console.signIn(node.base, "?page=segments", KEY);
    browser.findElement(By.cssSelector("#nav [data-page='stream']")).click();
    assertEquals("latest", browser.findElement(By.id("stream-from")).getAttribute("value"));
    browser.findElement(By.id("stream-user")).sendKeys(user);
    browser.findElement(By.cssSelector("#stream-filters button[type='submit']")).click();
    console.await().until(ExpectedConditions.textToBe(By.id("stream-status"), "live"));
    post(event("console-head-1", user, "view", at.plusSeconds(1), "c-head"));
    console.await().until(ExpectedConditions.presenceOfElementLocated(By.xpath("//tbody[@id='stream-rows']/tr[contains(., 'console-head-1')]")));
    List<?> rows = (List<?>) browser.executeScript("return Array.from(document.querySelectorAll('#stream-rows tr')).map(tr => tr.textContent)");
    for (Object row : rows) assertTrue(row.toString().contains("console-head-1"), "only the new write (its event and prediction), not the user's history: " + rows);
  }

  @Test
  void segmentMembersPageThroughAndModelsShowWhatEachNodeServes() throws Exception {
    console.signIn(node.base, "?page=segments", KEY);
    console.await().until(ExpectedConditions.presenceOfElementLocated(By.id("segment-table")));
    JsonNode segments = Json.MAPPER.readTree(node.get("/v1/segments", BEARER).body()).get("segments");
    assertEquals(segments.size(), browser.findElements(By.cssSelector("#segment-table tbody tr")).size());
    JsonNode biggest = null;
    for (JsonNode s : segments) if (biggest == null || s.get("members").asLong() > biggest.get("members").asLong()) biggest = s;
    String id = biggest.get("id").asText();
    Set<String> expected = members(id);
    assertTrue(expected.size() > 10, "a segment of more than one page: " + segments);
    Set<String> seen = console.pageThroughMembers(id, "segments");
    assertEquals(expected, new java.util.TreeSet<>(seen), "the pages hold every member once");
    browser.findElement(By.id("reevaluate")).click();
    console.await().until(d -> console.requiredText("#reevaluate-result").startsWith("started") || console.requiredText("#reevaluate-result").contains("already running"));

    browser.findElement(By.cssSelector("#nav button[data-page='models']")).click();
    console.await().until(ExpectedConditions.presenceOfElementLocated(By.id("model-nodes")));
    assertTrue(console.requiredText("#models-serving").contains("nb-gru-v2"), console.requiredText("#models-serving"));
    assertEquals(1, browser.findElements(By.cssSelector("#model-nodes tbody tr")).size());
    // No registry directory here: the report packaged with the default model is drawn.
    console.await().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#evaluations .evaluation[data-version='nb-gru-v2'] svg.reliability")));
    console.screenshot("models");
    console.assertNoPolicyViolations();
  }

  /** A cell of the cluster page's member row for {@code address}, read in one step (the table is redrawn every 4 s). */
  private static String memberCell(String address, String field) {
    Object t = browser.executeScript("const row = Array.from(document.querySelectorAll('#cluster-members tbody tr'))"
        + ".find(tr => tr.dataset.address === arguments[0]); const td = row && row.querySelector(`td[data-field='${arguments[1]}']`);"
        + " return td ? td.textContent : null", address, field);
    return (String) t;
  }

  /** A rate shown on the cluster page; 0 while it shows none yet ("—"). */
  private static double shownRate(String id) {
    String t = console.requiredText("#" + id);
    return t.matches("[0-9.]+") ? Double.parseDouble(t) : 0;
  }

  @Test
  void theClusterPageShowsThisNodeAsTheApiDoesAndItsRates() throws Exception {
    console.signIn(node.base, "?page=cluster", KEY);
    assertTrue(browser.findElement(By.cssSelector("#nav button[data-page='cluster']")).getAttribute("class").contains("active"));
    JsonNode members = Json.MAPPER.readTree(node.get("/v1/cluster/members", BEARER).body());
    String self = members.get("self").asText();
    JsonNode me = members.get("members").get(0);
    JsonNode owners = Json.MAPPER.readTree(node.get("/v1/cluster/shards", BEARER).body()).get("owners");
    String shards = Integer.toString(owners.get(self).size());
    assertEquals(shards, me.get("shards").asText(), "the members route counts the shards /v1/cluster/shards lists");
    assertTrue(me.get("activeProfiles").asLong() >= USERS, me.toString());
    console.await().until(d -> "Up".equals(memberCell(self, "status")));
    console.await().until(d -> shards.equals(memberCell(self, "shards")));
    console.await().until(d -> me.get("activeProfiles").asText().equals(memberCell(self, "activeProfiles")));
    assertEquals(1L, browser.executeScript("return document.querySelectorAll('#cluster-members tbody tr').length"));
    assertTrue(console.requiredText("#cluster-summary").contains(self), console.requiredText("#cluster-summary"));
    assertTrue(console.requiredText("#cluster-ready").contains("ready"), console.requiredText("#cluster-ready"));

    // The rates count from the page's first sample of /metrics: what is posted and read after it shows.
    console.await().until(d -> Integer.parseInt(console.requiredText("#cluster-samples")) >= 1);
    long before = Long.parseLong(console.requiredText("#cluster-ingest-total"));
    String user = users.get(9);
    Instant at = Instant.parse(profile(user).get("lastEventTime").asText());
    for (int i = 1; i <= 10; i++) post(event("console-cluster-" + i, user, "view", at.plusSeconds(i), "c-cluster"));
    for (int i = 0; i < 5; i++) profile(user);
    console.await().until(d -> shownRate("cluster-ingest-rate") > 0 && shownRate("cluster-read-rate") > 0);
    console.await().until(d -> Long.parseLong(console.requiredText("#cluster-ingest-total")) >= before + 10);
    // A few samples, so the sparklines have a line to draw in the screenshot.
    console.waitUpTo(Duration.ofSeconds(30)).until(d -> Integer.parseInt(console.requiredText("#cluster-samples")) >= 4);
    assertEquals(1, browser.findElements(By.cssSelector("#cluster-ingest-spark svg polyline")).size());
    assertEquals(1, browser.findElements(By.cssSelector("#cluster-read-spark svg polyline")).size());
    console.screenshot("cluster");
    console.assertNoPolicyViolations();
  }

  @Test
  void markupInIdsCategoriesAndAttributesIsShownAsText() throws Exception {
    String user = "<img src=x onerror=\"window.__pwned=1\">";
    String category = "<script>window.__pwned=2</script>";
    String attrName = "<b id=\"injected\">name</b>";
    String attrValue = "<img src=x onerror=\"window.__pwned=3\"><svg onload=\"window.__pwned=4\">";
    post(event("console-xss-1", user, "view", Instant.now().minusSeconds(60), category));
    HttpResponse<String> put = node.send("PUT", "/v1/profiles/" + URLEncoder.encode(user, StandardCharsets.UTF_8).replace("+", "%20") + "/attributes",
        Json.MAPPER.writeValueAsString(Map.of(attrName, attrValue)), BEARER);
    assertEquals(200, put.statusCode(), put.body());

    console.signIn(node.base, "?user=" + URLEncoder.encode(user, StandardCharsets.UTF_8), KEY);
    console.await().until(ExpectedConditions.textToBe(By.id("profile-user"), user));
    console.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("attributes"), attrValue));
    assertTrue(console.requiredText("#attributes").contains(attrName), console.requiredText("#attributes"));
    assertTrue(console.requiredText("#timeline").contains(category), console.requiredText("#timeline"));
    console.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("changes"), category));
    assertEquals(user, browser.findElement(By.id("user-id")).getAttribute("value"));

    browser.findElement(By.cssSelector("#nav button[data-page='stream']")).click();
    browser.findElement(By.id("stream-user")).sendKeys(user);
    browser.findElement(By.id("stream-from")).clear();
    browser.findElement(By.id("stream-from")).sendKeys("0"); // the user's history, markup included
    browser.findElement(By.cssSelector("#stream-filters button[type=submit]")).click();
    console.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("stream-rows"), category));
    console.screenshot("stream-injection");
    browser.findElement(By.cssSelector("#nav button[data-page='explorer']")).click();
    console.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("attributes"), attrValue));
    console.screenshot("explorer-injection");

    assertNull(browser.executeScript("return window.__pwned === undefined ? null : window.__pwned"), "injected script ran");
    assertEquals(0L, browser.executeScript("return document.querySelectorAll('img, #injected, b#injected, svg[onload], [onerror]').length"),
        "an injected element exists");
    assertEquals(1L, browser.executeScript("return document.scripts.length"), "only the console's own script");
    console.assertNoPolicyViolations();
  }

  @Test
  void aLookupByALinkedIdentityShowsTheCanonicalUserAndFollowsNewLinks() throws Exception {
    String user = users.get(11);
    long events = profile(user).get("eventCount").asLong();
    postAnonymous("console-anon-1", "console-anon-1", Map.of(), Instant.now().minusSeconds(30));
    postAnonymous("console-anon-2", "console-anon-2", Map.of(), Instant.now().minusSeconds(25)); // a visit linked later
    JsonNode linked = identify(Map.of("userId", user, "anonymousId", "console-anon-1"));
    assertEquals(user, linked.get("userId").asText(), linked.toString());

    console.signIn(node.base, "?identity=anonymousId:console-anon-1", KEY);
    console.await().until(ExpectedConditions.textToBe(By.id("profile-user"), user));
    assertEquals("identity", new Select(browser.findElement(By.id("lookup-kind"))).getFirstSelectedOption().getAttribute("value"));
    assertEquals("anonymousId:console-anon-1", browser.findElement(By.id("user-id")).getAttribute("value"));
    assertTrue(console.requiredText("#profile-lookup").contains("anonymousId:console-anon-1"), console.requiredText("#profile-lookup"));
    console.await().until(d -> shownIdentities("anonymousId").equals(List.of("console-anon-1")) && shownIdentities("userId").equals(List.of(user)));
    assertTrue(console.requiredText("#profile-summary").contains(Long.toString(events + 1)), "the anonymous visit is the user's now: " + console.requiredText("#profile-summary"));
    console.await().until(ExpectedConditions.textToBe(By.id("live-status"), "live"));

    // Linked while the page is open (a second browser and a device): the merged change re-reads the profile.
    identify(Map.of("userId", user, "anonymousId", "console-anon-2", "identities", Map.of("device", "console-dev-1")));
    console.waitUpTo(Duration.ofSeconds(5)).until(d -> shownIdentities("anonymousId").equals(List.of("console-anon-1", "console-anon-2"))
        && shownIdentities("device").equals(List.of("console-dev-1")));
    console.await().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#changes li[data-cause='merged']")));
    console.screenshot("explorer-identities");

    // The form looks up any type by the select; a profile key works as a user id.
    new Select(browser.findElement(By.id("lookup-kind"))).selectByValue("identity");
    browser.findElement(By.id("user-id")).clear();
    browser.findElement(By.id("user-id")).sendKeys("device:console-dev-1");
    browser.findElement(By.cssSelector("#lookup button[type='submit']")).click();
    console.await().until(d -> String.valueOf(browser.getCurrentUrl()).contains("identity=device%3Aconsole-dev-1"));
    console.await().until(ExpectedConditions.textToBe(By.id("profile-user"), user));
    console.await().until(d -> shownIdentities("device").equals(List.of("console-dev-1")));

    // Split back off while the page is open: a lookup by the identity follows it to the profile it now belongs to.
    browser.get(url("?identity=anonymousId:console-anon-2"));
    console.await().until(ExpectedConditions.textToBe(By.id("profile-user"), user));
    console.await().until(ExpectedConditions.textToBe(By.id("live-status"), "live"));
    HttpResponse<String> split = node.send("POST", "/v1/profiles/" + URLEncoder.encode(user, StandardCharsets.UTF_8) + "/unmerge",
        "{\"anonymousId\":\"console-anon-2\"}", BEARER);
    assertEquals(200, split.statusCode(), split.body());
    HttpResponse<String> owner = node.get("/v1/profiles/_?identity=anonymousId:console-anon-2", BEARER);
    assertEquals(200, owner.statusCode(), owner.body());
    String ownerId = Json.MAPPER.readTree(owner.body()).get("userId").asText();
    assertFalse(ownerId.equals(user), "the anonymous id is a profile of its own again: " + owner.body());
    console.waitUpTo(Duration.ofSeconds(5)).until(ExpectedConditions.textToBe(By.id("profile-user"), ownerId));
    console.await().until(d -> shownIdentities("anonymousId").equals(List.of("console-anon-2")) && shownIdentities("userId").isEmpty());
    console.await().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#changes li[data-cause='unmerged']")));
    browser.get(url("?user=" + URLEncoder.encode("~anonymousId:console-anon-1", StandardCharsets.UTF_8)));
    console.await().until(ExpectedConditions.textToBe(By.id("profile-user"), user));
    assertEquals("user", new Select(browser.findElement(By.id("lookup-kind"))).getFirstSelectedOption().getAttribute("value"));

    // The live stream's cause filter knows merges.
    browser.get(url("?page=stream&cause=merged&user=" + URLEncoder.encode(user, StandardCharsets.UTF_8)));
    assertEquals("merged", new Select(browser.findElement(By.id("stream-cause"))).getFirstSelectedOption().getText());
    console.await().until(ExpectedConditions.presenceOfElementLocated(By.xpath("//tbody[@id='stream-rows']/tr[contains(., 'console-anon-2')]")));
    @SuppressWarnings("unchecked")
    List<String> causes = (List<String>) browser.executeScript("return Array.from(document.querySelectorAll('#stream-rows tr')).map(tr => tr.children[3].textContent)");
    for (String cause : causes) assertEquals("merged", cause, "filtered to merges: " + causes);
    console.assertNoPolicyViolations();
  }

  @Test
  void markupInIdentitiesIsShownAsText() throws Exception {
    String anonymous = "<img src=x onerror=\"window.__pwned=5\">";
    String device = "<svg onload=\"window.__pwned=6\"><b id=\"injected\">d</b>";
    postAnonymous("console-xss-anon-1", anonymous, Map.of("device", device), Instant.now().minusSeconds(20));

    console.signIn(node.base, "?identity=" + URLEncoder.encode("anonymousId:" + anonymous, StandardCharsets.UTF_8), KEY);
    console.await().until(ExpectedConditions.textToBe(By.id("profile-user"), "~anonymousId:" + anonymous));
    console.await().until(d -> shownIdentities("anonymousId").equals(List.of(anonymous)) && shownIdentities("device").equals(List.of(device)));
    assertEquals("anonymousId:" + anonymous, browser.findElement(By.id("user-id")).getAttribute("value"));
    console.await().until(ExpectedConditions.textToBePresentInElementLocated(By.id("changes"), "console-xss-anon-1"));

    assertNull(browser.executeScript("return window.__pwned === undefined ? null : window.__pwned"), "injected script ran");
    assertEquals(0L, browser.executeScript("return document.querySelectorAll('img, #injected, svg[onload], [onerror]').length"),
        "an injected element exists");
    console.assertNoPolicyViolations();
  }
}
