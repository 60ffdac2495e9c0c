package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Debian's headless Chromium and its chromedriver for browser tests: installed with apt-get when
 * missing (as root); a machine that cannot get them fails the test rather than skipping it.
 */
final class Chromium {
  static final Path BROWSER = Path.of("/usr/bin/chromium");
  static final Path DRIVER = Path.of("/usr/bin/chromedriver");

  private Chromium() {}

  static void ensureInstalled() throws IOException, InterruptedException {
    if (present()) return;
    if (!"root".equals(System.getProperty("user.name"))) {
      fail("browser tests need " + BROWSER + " and " + DRIVER + ": install them with `apt-get install -y chromium chromium-driver`");
    }
    if (apt("install", "-y", "chromium", "chromium-driver") != 0) {
      apt("update");
      apt("install", "-y", "chromium", "chromium-driver");
    }
    if (!present()) fail("could not install chromium and chromium-driver with apt-get (see target/apt-chromium.log)");
  }

  private static boolean present() {
    return Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER);
  }

  private static int apt(String... args) throws IOException, InterruptedException {
    String[] cmd = new String[args.length + 1];
    cmd[0] = "apt-get";
    System.arraycopy(args, 0, cmd, 1, args.length);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(new File("target/apt-chromium.log")));
    pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
    Process p = pb.start();
    if (!p.waitFor(15, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      return -1;
    }
    return p.exitValue();
  }

  /** A headless browser with a fresh profile in {@code userDataDir}, its console log kept for the test to read. */
  static ChromeDriver start(Path userDataDir) {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(BROWSER.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
        "--window-size=1400,2000", "--user-data-dir=" + userDataDir.toAbsolutePath());
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort()
        .withEnvironment(Map.of()).build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20));
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
    return driver;
  }
}
