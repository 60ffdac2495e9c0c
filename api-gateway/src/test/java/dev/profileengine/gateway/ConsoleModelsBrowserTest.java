package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profileengine.gateway.wire.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The console's models page in a real headless Chromium against a node with a registry of several
 * versions: each version's stored evaluation report drawn as charts (a missing or corrupt one shown
 * as the API's reason, markup in a report's titles shown as text), and the admin controls (activate,
 * set and clear the A/B candidate) asking first, refused with the API's reason for a read-only key,
 * applied for an admin key. Screenshots go to target/console-screenshots.
 */
class ConsoleModelsBrowserTest {
  private static final String ADMIN_KEY = ApiKeysTest.ADMIN_KEY;
  private static final String READ_KEY = ApiKeysTest.READER_KEY;
  private static final String HOSTILE = "<img src=x onerror=alert(1)> v2 & co";

  @TempDir
  static Path dir;
  static TestNode node;
  static ConsoleBrowser console;
  static ChromeDriver browser;

  @BeforeAll
  static void start() throws Exception {
    Chromium.ensureInstalled();
    Path registry = dir.resolve("models");
    TestRegistry.version(registry, "nb-gru-v1", true);
    Path v2 = TestRegistry.version(registry, "nb-gru-v2", true);
    // A report whose model title holds markup: the page must show it as text.
    Path report = v2.resolve(TestRegistry.REPORT);
    Files.writeString(report, Files.readString(report).replace("\"title\":\"model nb-gru-v2\"", "\"title\":" + Json.MAPPER.writeValueAsString(HOSTILE)));
    TestRegistry.version(registry, "nb-gru-v3", false);
    Files.writeString(TestRegistry.version(registry, "nb-gru-v4", false).resolve(TestRegistry.REPORT), "{\"model\": [");
    TestRegistry.activate(registry, "nb-gru-v1");
    node = TestNode.start(dir.resolve("data"), Map.of("profile.model.registry-dir", registry.toString(),
        "profile.http.api-keys", List.of(ADMIN_KEY + "=admin", READ_KEY + "=read"),
        "profile.model.training.trainer-jar", Path.of("../model-store/target/model-store.jar").toAbsolutePath().toString(),
        "profile.model.training.work-dir", dir.resolve("training").toString()));
    console = ConsoleBrowser.start(dir.resolve("browser"), Duration.ofSeconds(20));
    browser = console.driver();
  }

  @AfterAll
  static void stop() {
    if (console != null) console.close();
    if (node != null) node.close();
  }

  /** A new tab (empty sessionStorage) on the models page, signed in with {@code key}. */
  private static void modelsPage(String key) throws Exception {
    console.signIn(node.base, "?page=models", key);
    console.await().until(ExpectedConditions.presenceOfElementLocated(By.id("model-versions")));
  }

  private static JsonNode models() throws Exception {
    return Json.MAPPER.readTree(node.get("/v1/models", "Bearer " + ADMIN_KEY).body());
  }

  private static String card(String version) {
    return "#evaluations .evaluation[data-version='" + version + "']";
  }

  /** Clicks a row's action, then the confirmation's {@code Confirm} (or {@code Cancel}); returns the shown outcome. */
  private static String act(String css, boolean confirm) {
    browser.findElement(By.cssSelector(css)).click();
    WebElement question = console.await().until(ExpectedConditions.visibilityOfElementLocated(By.id("model-action-question")));
    assertFalse(question.getText().isBlank());
    if (!confirm) {
      browser.findElement(By.id("model-action-cancel")).click();
      console.await().until(ExpectedConditions.invisibilityOfElementLocated(By.id("model-action")));
      return null;
    }
    browser.findElement(By.id("model-action-confirm")).click();
    console.await().until(d -> console.text("#model-action-result").matches("^(Stored|Refused|Training).*"));
    return console.text("#model-action-result");
  }

  @Test
  void eachVersionsEvaluationIsDrawnAsChartsOrItsAbsenceExplained() throws Exception {
    modelsPage(READ_KEY);
    console.await().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(card("nb-gru-v1") + " svg.reliability")));
    JsonNode report = Json.MAPPER.readTree(node.get("/v1/models/nb-gru-v1/evaluation", "Bearer " + READ_KEY).body());
    // F1 per type: one bar per (type, row that predicts types), as many as the report has.
    int typed = 0;
    for (JsonNode row : report) if (row.has("f1PerType")) typed++;
    int types = report.get("model").get("f1PerType").size();
    assertEquals(types * typed, browser.findElements(By.cssSelector(card("nb-gru-v1") + " svg.chart:not(.bars):not(.reliability) rect")).size());
    // Calibration: the model's ten bins and the best log-loss baseline's.
    assertEquals(2, browser.findElements(By.cssSelector(card("nb-gru-v1") + " svg.reliability polyline")).size());
    assertEquals(report.get("model").get("reliability").size(),
        browser.findElements(By.cssSelector(card("nb-gru-v1") + " svg.reliability circle.series-0")).size());
    // Category Hit@10 and Recall@10 of every category row, the model's among them.
    int categoryRows = 0;
    for (JsonNode row : report) if (row.path("categoryHitRateAt10").isNumber()) categoryRows++;
    List<WebElement> bars = browser.findElements(By.cssSelector(card("nb-gru-v1") + " svg.bars"));
    assertEquals(2, bars.size());
    assertEquals(categoryRows, bars.get(0).findElements(By.tagName("rect")).size());
    String summary = console.text(card("nb-gru-v1") + " #evaluation-summary");
    assertTrue(summary.contains(String.format(java.util.Locale.ROOT, "%.3f", report.get("model").get("macroF1").asDouble()))
        && summary.contains("686") && summary.contains("1000 resamples"), summary);
    assertEquals(report.get("model").get("vsBestBaseline").size(), browser.findElements(By.cssSelector(card("nb-gru-v1") + " table.vs-best tbody tr")).size());

    // Markup in a report's title is text: shown verbatim, no element made of it.
    console.await().until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(card("nb-gru-v2") + " svg.reliability")));
    assertTrue(console.text(card("nb-gru-v2")).contains(HOSTILE), console.text(card("nb-gru-v2")));
    assertEquals(0L, browser.executeScript("return document.querySelectorAll('#models img').length"));

    // No report, a corrupt report: the API's reasons, as text.
    console.await().until(d -> console.text(card("nb-gru-v3")).contains("No report") && console.text(card("nb-gru-v4")).contains("Report not shown: 422"));
    assertTrue(console.text(card("nb-gru-v3")).contains("nb-gru-v3 has no evaluation report"), console.text(card("nb-gru-v3")));
    assertTrue(console.text(card("nb-gru-v4")).contains("not JSON"), console.text(card("nb-gru-v4")));
    browser.executeScript("document.querySelector(arguments[0]).scrollIntoView()", card("nb-gru-v1"));
    console.screenshot("models-evaluation");
    console.assertNoPolicyViolations();
  }

  @Test
  void aReadOnlyKeySeesTheControlsRefusedWithTheApisReason() throws Exception {
    modelsPage(READ_KEY);
    String serving = models().get("serving").asText();
    String other = serving.equals("nb-gru-v2") ? "nb-gru-v1" : "nb-gru-v2";
    String refused = act("#model-versions tr[data-version='" + other + "'] button.activate", true);
    assertTrue(refused.startsWith("Refused: 403") && refused.contains("admin"), refused);
    console.screenshot("models-refused");
    refused = act("#model-versions tr[data-version='" + other + "'] button.set-candidate", true);
    assertTrue(refused.startsWith("Refused: 403"), refused);
    assertEquals(serving, models().get("serving").asText(), "nothing changed");
    assertFalse(models().hasNonNull("candidate"), "nothing changed");
    console.assertNoPolicyViolations();
  }

  /** A run started from the console on a node with too little data: the page shows it end, with the API's reason. */
  @Test
  void anAdminStartsATrainingRunAndSeesItsStepsAndOutcome() throws Exception {
    modelsPage(ADMIN_KEY);
    console.await().until(ExpectedConditions.elementToBeClickable(By.id("train")));
    assertTrue(console.text("#training-rule").contains("rolled back"), console.text("#training-rule"));
    assertTrue(console.text("#training-rule").contains("off: runs start on request only"), console.text("#training-rule"));
    String done = act("#train", true);
    assertTrue(done.startsWith("Training run-"), done);
    String run = done.substring("Training ".length(), done.indexOf(' ', "Training ".length()));
    String row = "#training-runs tr[data-run='" + run + "']";
    // The page shows the runs as of its load: reloaded until the run has ended.
    console.await().until(d -> {
      browser.navigate().refresh();
      return !browser.findElements(By.cssSelector(row)).isEmpty() && console.text(row).contains("FAILED");
    });
    assertTrue(console.text(row).contains("EXPORTING → FAILED") && console.text(row).contains("min-events"), console.text(row));
    JsonNode last = models().at("/training/runs/0");
    assertEquals(run, last.get("id").asText());
    assertEquals("FAILED", last.get("status").asText());
    console.screenshot("models-training");
    console.assertNoPolicyViolations();
  }

  @Test
  void anAdminActivatesAVersionAndSetsAndClearsTheCandidateAfterConfirming() throws Exception {
    modelsPage(ADMIN_KEY);
    String before = models().get("serving").asText();
    String target = before.equals("nb-gru-v2") ? "nb-gru-v1" : "nb-gru-v2";
    String activate = "#model-versions tr[data-version='" + target + "'] button.activate";

    assertEquals(null, act(activate, false), "cancelled");
    assertEquals(before, models().get("serving").asText(), "a cancelled action sends nothing");

    String done = act(activate, true);
    assertTrue(done.startsWith("Stored") && done.contains("active " + target), done);
    assertEquals(target, models().get("serving").asText());
    // The page reloaded after the change: it shows what the node now serves.
    console.await().until(d -> console.text("#models-serving").contains("serving" + target));
    assertFalse(browser.findElement(By.cssSelector(activate)).isEnabled(), "the serving version cannot be activated again");

    WebElement percent = browser.findElement(By.cssSelector("#model-versions tr[data-version='nb-gru-v3'] input.candidate-percent"));
    percent.clear();
    percent.sendKeys("25");
    done = act("#model-versions tr[data-version='nb-gru-v3'] button.set-candidate", true);
    assertTrue(done.startsWith("Stored") && done.contains("candidate nb-gru-v3 at 25%"), done);
    JsonNode m = models();
    assertEquals("nb-gru-v3", m.get("candidate").asText());
    assertEquals(25, m.get("candidatePercent").asInt());
    console.await().until(d -> console.text("#model-versions tr[data-version='nb-gru-v3']").contains("candidate 25%"));
    console.screenshot("models-candidate");

    // A refusal from the API (percent out of range) is shown as its reason.
    percent = browser.findElement(By.cssSelector("#model-versions tr[data-version='nb-gru-v1'] input.candidate-percent"));
    percent.clear();
    percent.sendKeys("500");
    String refused = act("#model-versions tr[data-version='nb-gru-v1'] button.set-candidate", true);
    assertTrue(refused.startsWith("Refused: 400") && refused.contains("percent"), refused);
    assertEquals("nb-gru-v3", models().get("candidate").asText(), "unchanged by a refused change");

    done = act("#clear-candidate", true);
    assertTrue(done.startsWith("Stored") && done.contains("candidate —"), done);
    assertFalse(models().hasNonNull("candidate"));
    console.await().until(d -> !browser.findElement(By.id("clear-candidate")).isEnabled());
    console.assertNoPolicyViolations();
  }
}
