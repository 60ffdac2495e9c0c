package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The operator console in a headless Chromium, as the browser tests drive it: signing in at the key
 * prompt, reading text in one step (pages re-render while data streams in), screenshots to
 * target/console-screenshots, and the page's console log checked for refusals by its own policy.
 */
final class ConsoleBrowser implements AutoCloseable {
  static final Path SHOTS = Path.of("target", "console-screenshots");

  private final ChromeDriver driver;
  private final Duration patience;

  private ConsoleBrowser(ChromeDriver driver, Duration patience) {
    this.driver = driver;
    this.patience = patience;
  }

  /** A browser with a fresh profile in {@code userDataDir}; {@link #await()} waits up to {@code patience}. */
  static ConsoleBrowser start(Path userDataDir, Duration patience) throws IOException {
    ConsoleBrowser browser = new ConsoleBrowser(Chromium.start(userDataDir), patience);
    Files.createDirectories(SHOTS);
    return browser;
  }

  ChromeDriver driver() {
    return driver;
  }

  WebDriverWait waitUpTo(Duration d) {
    WebDriverWait w = new WebDriverWait(driver, d, Duration.ofMillis(20));
    w.ignoring(StaleElementReferenceException.class);
    return w;
  }

  WebDriverWait await() {
    return waitUpTo(patience);
  }

  /** Opens {@code url} in a tab that holds no key yet. */
  void freshTab(String url) {
    // A new tab starts with an empty sessionStorage; the old one (and its streams) goes.
    String old = driver.getWindowHandle();
    driver.switchTo().newWindow(WindowType.TAB);
    String fresh = driver.getWindowHandle();
    driver.switchTo().window(old).close();
    driver.switchTo().window(fresh);
    driver.get(url);
  }

  /** Gives {@code key} at the console's prompt. */
  void enterKey(String key) throws IOException {
    WebElement input;
    try {
      input = await().until(ExpectedConditions.visibilityOfElementLocated(By.id("api-key")));
    } catch (TimeoutException e) {
      screenshot("failed-no-key-prompt");
      StringBuilder said = new StringBuilder();
      for (LogEntry l : driver.manage().logs().get(LogType.BROWSER)) said.append(l.getMessage()).append('\n');
      throw new AssertionError("no key prompt; the browser said: " + said, e);
    }
    input.clear();
    input.sendKeys(key);
    driver.findElement(By.id("login-submit")).click();
  }

  /** Gives {@code key} at the prompt and waits for the console behind it. */
  void signIn(String key) throws IOException {
    enterKey(key);
    await().until(ExpectedConditions.visibilityOfElementLocated(By.id("app")));
  }

  /** Opens {@code base}'s console at {@code query} in a fresh tab, signed in with {@code key}. */
  void signIn(URI base, String query, String key) throws IOException {
    freshTab(base + "/console/" + query);
    signIn(key);
  }

  void screenshot(String name) throws IOException {
    Files.write(SHOTS.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
  }

  /** The text of the element at {@code css}, read in one step; "" when there is none. */
  String text(String css) {
    String t = textOrNull(css);
    return t == null ? "" : t;
  }

  /** The text of the element at {@code css}, read in one step; fails when there is none. */
  String requiredText(String css) {
    String t = textOrNull(css);
    assertTrue(t != null, "no element " + css);
    return t;
  }

  private String textOrNull(String css) {
    return (String) driver.executeScript("const e = document.querySelector(arguments[0]); return e ? e.textContent : null", css);
  }

  /** What the page's browser console said about a refused script, style or connection (CSP). */
  void assertNoPolicyViolations() {
    for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
      String m = e.getMessage();
      assertFalse(m.contains("Content Security Policy") || m.contains("Refused to"), "the page broke its own policy: " + m);
      assertFalse(m.contains("favicon"), "the page asked for an icon the node does not serve: " + m);
    }
  }

  /** The live stream's rows as [user, cause], read in one step. */
  @SuppressWarnings("unchecked")
  List<List<String>> streamRows() {
    return (List<List<String>>) driver.executeScript(
        "return Array.from(document.querySelectorAll('#stream-rows tr')).map(tr => [tr.dataset.user, tr.children[3].textContent])");
  }

  /** The explorer's counts table, read in one step, holds {@code profile}'s counts (as the API gave them): 5 windows x 6 types. */
  void assertCountsShown(String user, JsonNode profile) {
    @SuppressWarnings("unchecked")
    List<List<String>> shown = (List<List<String>>) driver.executeScript(
        "return Array.from(document.querySelectorAll('#counts td')).map(td => [td.dataset.window, td.dataset.type, td.textContent])");
    Map<String, String> cells = new HashMap<>();
    for (List<String> cell : shown) cells.put(cell.get(0) + "/" + cell.get(1), cell.get(2));
    int compared = 0;
    for (Iterator<Map.Entry<String, JsonNode>> w = profile.get("counts").fields(); w.hasNext(); ) {
      Map.Entry<String, JsonNode> window = w.next();
      for (Iterator<Map.Entry<String, JsonNode>> t = window.getValue().fields(); t.hasNext(); ) {
        Map.Entry<String, JsonNode> type = t.next();
        assertEquals(type.getValue().asText(), cells.get(window.getKey() + "/" + type.getKey()), user + " " + window.getKey() + " " + type.getKey());
        compared++;
      }
    }
    assertEquals(30, compared, "5 windows x 6 types");
  }

  /**
   * Opens the members of {@code segment} (more than one page of them) on the segments page and pages
   * through them ten at a time; returns them in the order listed, each once. The first page is
   * screenshot as {@code firstPageShot}.
   */
  Set<String> pageThroughMembers(String segment, String firstPageShot) throws IOException {
    driver.findElement(By.cssSelector("tr[data-segment='" + segment + "'] button.members-open")).click();
    await().until(ExpectedConditions.presenceOfElementLocated(By.id("members-page-size")));
    new Select(driver.findElement(By.id("members-page-size"))).selectByVisibleText("10");
    await().until(d -> driver.findElements(By.cssSelector("#member-list li")).size() == 10 && requiredText("#members-page").equals("1"));
    Set<String> seen = new LinkedHashSet<>();
    for (int page = 1; ; page++) {
      await().until(ExpectedConditions.textToBe(By.id("members-page"), Integer.toString(page)));
      for (WebElement li : driver.findElements(By.cssSelector("#member-list li button"))) assertTrue(seen.add(li.getText()), "listed twice");
      if (page == 1) screenshot(firstPageShot);
      WebElement next = driver.findElement(By.id("members-next"));
      if (!next.isEnabled()) break;
      next.click();
    }
    return seen;
  }

  @Override
  public void close() {
    driver.quit();
  }
}
