package dev.profileengine.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.profileengine.gateway.ProfileNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The CI smoke run of the simulations: a real node in this JVM ({@link ProfileNode}: H2 journal
 * in a temporary directory, single-node cluster, HTTP on a free port, remoting on a random port),
 * then the ingest, read and mixed simulations for a few seconds each at low rates through
 * Gatling's programmatic entry point. Each run must end with Gatling's exit code 0, which the
 * simulations' assertions tie to "at least one successful and not one failed request" (and, for
 * the mixed run's two change-stream subscribers, "each got a change and was not closed by the
 * node"); the ingest must also have stored every event it sent, and each subscriber must have
 * received one change per stored event, those the mixed run stored while it listened included.
 * A last run reads users that do not exist and must fail, proving that failed requests do fail
 * this test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 90)
class GatlingSmokeTest {
  private static final int BATCH = 10;
  private static final int RATE = 3;
  private static final int SECONDS = 4;
  private static final Path RESULTS = Path.of("target", "gatling-smoke");

  private Path dataDir;
  private ProfileNode node;
  private String baseUrl;

  @BeforeAll
  void startNode() throws Exception {
    dataDir = Files.createTempDirectory("profile-smoke-");
    Map<String, Object> overrides = new HashMap<>();
    overrides.put("profile.data-dir", dataDir.toString());
    overrides.put("profile.http.bind", "127.0.0.1");
    overrides.put("profile.http.port", 0);
    overrides.put("akka.remote.artery.canonical.hostname", "127.0.0.1");
    overrides.put("akka.remote.artery.canonical.port", 0);
    overrides.put("profile.seed-nodes", "");
    // Every other listener on a free port too (gRPC and Akka Management, where the node has them),
    // so the test never collides with a node running on this machine.
    overrides.put("profile.grpc.port", 0);
    overrides.put("akka.management.http.port", 0);
    // A cold node on a busy 2-core CI box can take seconds for its first entity recoveries: the
    // smoke run checks the plumbing, not the latency, so give the entities time to answer.
    overrides.put("profile.ask-timeout", "30s");
    node = ProfileNode.start(ProfileNode.config(ConfigFactory.parseMap(overrides)));
    baseUrl = "http://127.0.0.1:" + node.httpPort();
    awaitReady(Duration.ofSeconds(60));
  }

  @AfterAll
  void stopNode() throws IOException {
    if (node != null) node.close();
    if (dataDir != null) {
      try (Stream<Path> files = Files.walk(dataDir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  @Order(1)
  void ingestReplaysTheSampleWithoutAFailedRequest() {
    RunRecord.LAST_INGEST.set(null);
    int code = gatling(IngestSimulation.class, Map.of());
    assertEquals(0, code, "IngestSimulation failed (exit code " + code + "): see its console summary above");
    RunRecord.Totals t = RunRecord.LAST_INGEST.get();
    int sent = RATE * SECONDS;
    assertEquals(sent, t.batches(), "every batch answered");
    assertEquals(sent * BATCH, t.accepted() + t.duplicates(), "every event stored (or a repeated row of the file)");
    assertTrue(t.accepted() > 0.9 * sent * BATCH, "a fresh node accepts (nearly) every event: " + t);
    assertEquals(0, t.rejected());
  }

  @Test
  @Order(2)
  void readsFindTheIngestedProfiles() {
    // Only users of the rows the ingest run sent (the file is replayed in time order).
    int code = gatling(ReadSimulation.class, Map.of("rate", "10", "readRows", String.valueOf(RATE * SECONDS * BATCH)));
    assertEquals(0, code, "ReadSimulation failed (exit code " + code + "): see its console summary above");
  }

  @Test
  @Order(3)
  void mixedIngestReadsAndSubscribers() {
    RunRecord.Totals before = RunRecord.LAST_INGEST.get();
    assertNotNull(before, "runs after the ingest case");
    MixedSimulation.LAST_CHANGES.set(null);
    // From batch 6: half the rows the ingest run sent (the journal is no longer fresh, repeated
    // events are duplicates), then new ones, which the subscribers must see arrive live.
    int code = gatling(MixedSimulation.class, Map.of("rate", "2", "readRate", "5", "fresh", "false", "from", "6", "subscribers", "2"));
    assertEquals(0, code, "MixedSimulation failed (exit code " + code + "): see its console summary above");
    RunRecord.Totals mixed = RunRecord.LAST_INGEST.get();
    Scenarios.ChangeTotals changes = MixedSimulation.LAST_CHANGES.get();
    assertEquals(2, changes.subscribers.sum(), "both subscribers ran");
    assertEquals(2, changes.first.sum(), "both subscribers got a first change");
    assertTrue(changes.closes.isEmpty(), "no subscriber closed by the node: " + changes.closes);
    assertTrue(mixed.accepted() > 0, "the mixed run sent new events: " + mixed);
    // Both subscribers read from offset 0: every event either run stored reached each of them.
    long stored = before.accepted() + mixed.accepted();
    assertEquals(2 * stored, changes.byCause.get("event").sum(), "each subscriber got one change per stored event (" + stored + "): " + changes.line());
  }

  @Test
  @Order(4)
  void failedRequestsFailTheRun() {
    int code = gatling(ReadSimulation.class, Map.of("rate", "5", "duration", "2", "users", "no-such-user-1,no-such-user-2"));
    assertNotEquals(0, code, "reads of unknown users answer 404: Gatling must report the failures");
    assertEquals(2, code, "exit code 2 is Gatling's 'assertions failed'");
  }

  /** Runs one simulation in this JVM with the given properties (over the smoke defaults); returns Gatling's exit code. */
  private int gatling(Class<?> simulation, Map<String, String> properties) {
    Map<String, String> props = new LinkedHashMap<>();
    props.put("baseUrl", baseUrl);
    props.put("batch", String.valueOf(BATCH));
    props.put("rate", String.valueOf(RATE));
    props.put("duration", String.valueOf(SECONDS));
    props.put("fresh", "true");
    props.putAll(properties);
    Map<String, String> previous = new HashMap<>();
    props.forEach((k, v) -> previous.put(k, System.setProperty(k, v)));
    try {
      return io.gatling.app.Gatling$.MODULE$.fromArgs(new String[] {
          "-s", simulation.getName(),
          "-rf", RESULTS.toAbsolutePath().toString(),
          "-rd", "smoke " + simulation.getSimpleName() + " " + props,
          "-l", "junit"});
    } finally {
      previous.forEach((k, v) -> {
        if (v == null) System.clearProperty(k);
        else System.setProperty(k, v);
      });
    }
  }

  private void awaitReady(Duration timeout) throws InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(baseUrl + "/ready")).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) return;
        last = r.statusCode() + " " + r.body();
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("node not ready within " + timeout + ": " + last);
  }
}
