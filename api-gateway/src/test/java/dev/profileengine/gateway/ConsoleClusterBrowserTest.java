package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profileengine.gateway.wire.Json;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console against a two-node cluster (PostgreSQL journal, TLS remoting, one shared registry),
 * opened on the second node: the cluster page lists both members Up with the shards and profiles the
 * API reports for each, and the models page lists what each node serves, draws each version's report
 * and, after an activation confirmed there, shows both nodes serving the new version. One test, so
 * the cluster forms once. Screenshots: cluster-two-nodes.png, models-two-nodes.png.
 */
class ConsoleClusterBrowserTest {
  private static final String KEY = ApiKeysTest.ADMIN_KEY;
  private static final String BEARER = "Bearer " + KEY;
  private static final Path SHOTS = Path.of("target", "console-screenshots");

  @TempDir
  Path dir;
  private ChromeDriver browser;

  private TestNode startNode(String url, int seedPort, int port, Path registry, int i) {
    Map<String, Object> config = new HashMap<>(ClusterCerts.postgresNode(ClusterCerts.secretDir(), url, seedPort, port));
    config.put("profile.model.registry-dir", registry.toString());
    config.put("profile.model.workers", 1);
    config.put("profile.http.api-keys", List.of(KEY + "=admin"));
    return TestNode.start(dir.resolve("node" + i), config);
  }

  private WebDriverWait await() {
    WebDriverWait w = new WebDriverWait(browser, Duration.ofSeconds(30), Duration.ofMillis(50));
    w.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
    return w;
  }

  private String text(String css) {
    Object t = browser.executeScript("const e = document.querySelector(arguments[0]); return e ? e.textContent : null", css);
    return t == null ? "" : (String) t;
  }

  @SuppressWarnings("unchecked")
  private List<String> column(String table, String field) {
    return (List<String>) browser.executeScript("return Array.from(document.querySelectorAll(arguments[0] + ' tbody tr'))"
        + ".map(tr => tr.querySelector('[data-field=\"' + arguments[1] + '\"]')).map(td => td ? td.textContent : null)", table, field);
  }

  @Test
  void theClusterAndModelsPagesShowEveryNodeAndFollowAnActivation() throws Exception {
    Path registry = dir.resolve("models");
    TestRegistry.version(registry, "nb-gru-v1", true);
    TestRegistry.version(registry, "nb-gru-v2", true);
    TestRegistry.activate(registry, "nb-gru-v1");
    Chromium.ensureInstalled();
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(dir.resolve("pg")).setCleanDataDirectory(true).start()) {
      String url = pg.getJdbcUrl("postgres", "postgres");
      int seedPort = TestNode.freePort();
      List<TestNode> nodes = new ArrayList<>();
      try {
        for (int i = 0; i < 2; i++) nodes.add(startNode(url, seedPort, i == 0 ? seedPort : 0, registry, i));
        TestNode.awaitMembers(nodes, 2);
        TestNode a = nodes.get(0);
        TestNode b = nodes.get(1);
        // Users whose profiles live on both nodes' shards.
        List<String> users = new ArrayList<>();
        for (int u = 0; u < 24; u++) users.add("console-cluster-" + u);
        StringBuilder batch = new StringBuilder("[");
        for (String user : users) {
          if (batch.length() > 1) batch.append(',');
          batch.append(Json.MAPPER.writeValueAsString(Map.of("eventId", "e-" + user, "userId", user, "type", "view",
              "timestamp", Instant.now().minusSeconds(5).toEpochMilli(), "categoryId", "c1")));
        }
        HttpResponse<String> sent = a.send("POST", "/v1/events", batch.append(']').toString(), BEARER);
        assertEquals(200, sent.statusCode(), sent.body());
        assertEquals(users.size(), Json.MAPPER.readTree(sent.body()).get("accepted").asInt(), sent.body());

        browser = Chromium.start(dir.resolve("browser"));
        Files.createDirectories(SHOTS);
        browser.get(b.base + "/console/?page=cluster");
        await().until(ExpectedConditions.visibilityOfElementLocated(By.id("api-key"))).sendKeys(KEY);
        browser.findElement(By.id("login-submit")).click();

        // Cluster page on node b: both members Up, each with the shards and profiles the API gives for it.
        await().until(d -> browser.findElements(By.cssSelector("#cluster-members tbody tr")).size() == 2
            && column("#cluster-members", "status").stream().allMatch(s -> s.equals("Up")));
        await().until(d -> {
          try {
            JsonNode members = Json.MAPPER.readTree(b.get("/v1/cluster/members", BEARER).body()).get("members");
            List<String> shards = new ArrayList<>();
            long profiles = 0;
            for (JsonNode m : members) {
              shards.add(m.path("shards").asText());
              profiles += m.path("activeProfiles").asLong();
            }
            // Every sent user is alive somewhere (idle profiles passivate only after minutes).
            return profiles >= users.size() && column("#cluster-members", "shards").equals(shards)
                && column("#cluster-members", "activeProfiles").stream().mapToLong(Long::parseLong).sum() >= users.size();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
        assertTrue(column("#cluster-members", "shards").stream().allMatch(s -> Integer.parseInt(s) > 0), "both nodes host shards");
        assertTrue(text("#cluster-summary").contains("members2"), text("#cluster-summary"));
        Files.write(SHOTS.resolve("cluster-two-nodes.png"), browser.getScreenshotAs(OutputType.BYTES));

        // Models page on node b: both nodes listed, each version's report drawn.
        browser.findElement(By.cssSelector("#nav button[data-page='models']")).click();
        await().until(d -> browser.findElements(By.cssSelector("#model-nodes tbody tr")).size() == 2);
        for (String v : List.of("nb-gru-v1", "nb-gru-v2"))
          await().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#evaluations .evaluation[data-version='" + v + "'] svg.reliability")));

        // An activation confirmed on node b reaches node a too; the page, read again, shows both serving it.
        browser.findElement(By.cssSelector("#model-versions tr[data-version='nb-gru-v2'] button.activate")).click();
        await().until(ExpectedConditions.visibilityOfElementLocated(By.id("model-action-confirm"))).click();
        await().until(d -> text("#model-action-result").startsWith("Stored") || text("#model-action-result").startsWith("Refused"));
        assertTrue(text("#model-action-result").startsWith("Stored"), text("#model-action-result"));
        await().until(d -> {
          @SuppressWarnings("unchecked")
          List<String> serving = (List<String>) browser.executeScript(
              "return Array.from(document.querySelectorAll('#model-nodes tbody tr')).map(tr => tr.children[1].textContent)");
          if (serving.size() == 2 && serving.stream().allMatch("nb-gru-v2"::equals)) return true;
          browser.findElement(By.cssSelector("#nav button[data-page='models']")).click(); // read the page again
          return false;
        });
        assertEquals("nb-gru-v2", Json.MAPPER.readTree(a.get("/v1/models", BEARER).body()).get("serving").asText());
        WebElement nodesTable = browser.findElement(By.id("model-nodes"));
        browser.executeScript("arguments[0].scrollIntoView()", nodesTable);
        Files.write(SHOTS.resolve("models-two-nodes.png"), browser.getScreenshotAs(OutputType.BYTES));
        for (LogEntry e : browser.manage().logs().get(LogType.BROWSER))
          assertFalse(e.getMessage().contains("Content Security Policy") || e.getMessage().contains("Refused to"), e.getMessage());
      } finally {
        if (browser != null) browser.quit();
        for (TestNode n : nodes) n.close();
      }
    }
  }
}
