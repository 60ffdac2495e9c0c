package dev.profileengine.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.profileengine.data.BehaviorRow;
import dev.profileengine.data.TaobaoCsv;
import dev.profileengine.engine.ProfileShards;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The cluster failover proof: three node JVMs of the real fat jar on an embedded PostgreSQL
 * journal, a replaying client that retries whatever was not acknowledged, and an independent count
 * of every acknowledged event.
 *
 * <ol>
 *   <li>Failover under load: one node (not the first seed) is killed with SIGKILL mid-replay; the
 *       split brain resolver downs it and its shards move to the survivors. Measured: kill until a
 *       sample of the killed node's users is served again, and restart until the node is ready.
 *       Then every user's lifetime counts must equal the distinct acknowledged events (none lost,
 *       none doubled) and every event sent must have been acknowledged.</li>
 *   <li>Rolling restart under load: each node in turn is stopped with SIGTERM (coordinated shutdown
 *       hands its shards off) and started again while the client keeps sending; the same
 *       exactly-once check over everything.</li>
 * </ol>
 *
 * Knobs (system properties): {@code failover.rows} (rows of phase 1, default 15000),
 * {@code failover.rolling.rows} (most rows of phase 2, default 60000: the load is stopped once the roll is done), {@code failover.rolling.rate}
 * (events/s of phase 2, default 250), {@code failover.jar}. Node logs: {@code target/failover/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailoverTest {
  private static final int NODES = 3;
  private static final int VICTIM = 2; // not node 1, the first seed
  private static final int LANES = 4;
  private static final int BATCH = 50;
  private static final int FAILOVER_ROWS = Integer.getInteger("failover.rows", 15_000);
  private static final int ROLLING_ROWS = Integer.getInteger("failover.rolling.rows", 60_000);
  private static final double ROLLING_RATE = Double.parseDouble(System.getProperty("failover.rolling.rate", "250"));
  private static final int PROBE_USERS = 40;
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(150);
  private static final Duration MEMBERS_TIMEOUT = Duration.ofSeconds(90);
  private static final Path RUN_DIR = Path.of("target", "failover");

  private final Figures figures = new Figures();
  private final AckLedger ledger = new AckLedger();
  private List<BehaviorRow> rows;
  private LocalCluster cluster;
  private int numberOfShards;

  @BeforeAll
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void startCluster() throws Exception {
    long t0 = System.nanoTime();
    rows = firstRowsInTimeOrder(dataFile(), FAILOVER_ROWS + ROLLING_ROWS);
    numberOfShards = ConfigFactory.parseResources("engine-cluster.conf").resolve().getInt("akka.cluster.sharding.number-of-shards");
    Path jar = Path.of(System.getProperty("failover.jar", Path.of("..", "api-gateway", "target", "profile-engine.jar").toString()));
    cluster = LocalCluster.start(RUN_DIR, jar, NODES);
    cluster.awaitReady(READY_TIMEOUT, cluster.nodes().toArray(NodeProcess[]::new));
    cluster.awaitMembersUp(NODES, MEMBERS_TIMEOUT);
    cluster.nodes().forEach(n -> n.routable(true));
    figures.put("cluster start (PostgreSQL + 3 nodes Up)", "%.1f s", secondsSince(t0));
  }

  @AfterAll
  void stopCluster() {
    try {
      if (cluster != null) cluster.close();
    } finally {
      System.out.println(figures.summary());
      figures.write(RUN_DIR.resolve("figures.txt"));
    }
  }

  @Test
  @Order(1)
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void killedNodeLosesNoEventAndItsUsersAreServedAgain() throws Exception {
    List<BehaviorRow> slice = rows.subList(0, Math.min(FAILOVER_ROWS, rows.size()));
    ReplayClient client = new ReplayClient(cluster::routableUrls, ledger, LANES, BATCH, 0);
    client.start(slice);

    // Kill once about a third of the slice is acknowledged.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (ledger.ackedCount() < slice.size() / 3 && !client.finished() && System.nanoTime() < deadline) Thread.sleep(100);
    assertFalse(client.finished(), "the replay ended before the kill: raise failover.rows");
    double beforeKillSeconds = client.elapsedSeconds();
    int ackedBeforeKill = ledger.ackedCount();
    figures.put("phase 1: events/s before the kill", "%.0f (%,d events in %.1f s)", ackedBeforeKill / beforeKillSeconds, ackedBeforeKill, beforeKillSeconds);

    NodeProcess victim = cluster.node(VICTIM);
    Set<Integer> victimShards = victim.shards();
    long killNanos = System.nanoTime();
    List<String> probeUsers = usersOnShards(ledger.usersAckedBefore(killNanos), victimShards);
    assertFalse(probeUsers.isEmpty(), "no acknowledged user lives on " + victim);
    System.out.printf("failover: kill -9 %s hosting %d of %d shards; probing %d of its users%n", victim, victimShards.size(), numberOfShards, probeUsers.size());
    victim.kill();
    figures.put("phase 1: kill -9", "node %d, %d shards, at %.1f s into the replay", VICTIM, victimShards.size(), beforeKillSeconds);

    AvailabilityProbe.Outcome served = AvailabilityProbe.awaitServed(probeUsers, cluster::routableUrls, killNanos, Duration.ofSeconds(120));
    int ackedAtServed = ledger.ackedCount();
    double unavailableSeconds = secondsSince(killNanos);
    figures.put("phase 1: kill -> killed node's users served", "%s (first of %d users after %.1f s; probe rounds of <= 2.25 s)",
        served.allServedSeconds() < 0 ? "NOT within 120 s" : String.format("%.1f s", served.allServedSeconds()),
        served.users(), served.firstServedSeconds());
    figures.put("phase 1: events/s while they were unserved", "%.0f (%,d events in %.1f s)", (ackedAtServed - ackedBeforeKill) / unavailableSeconds,
        ackedAtServed - ackedBeforeKill, unavailableSeconds);

    long restartNanos = System.nanoTime();
    victim.start();
    cluster.awaitReady(READY_TIMEOUT, victim);
    double restartToReady = secondsSince(restartNanos);
    victim.routable(true);
    cluster.awaitMembersUp(NODES, MEMBERS_TIMEOUT);
    figures.put("phase 1: restart -> killed node /ready", "%.1f s (3 Up after %.1f s; kill -> ready %.1f s)", restartToReady,
        secondsSince(restartNanos), (restartNanos - killNanos) / 1e9 + restartToReady);
    boolean loadDuringRestart = !client.finished();

    assertTrue(client.await(Duration.ofSeconds(200)), "the replay did not finish");
    figures.put("phase 1: replay", "%,d events sent, %,d acknowledged in %.1f s = %.0f events/s overall (load still on at restart: %s)",
        ledger.sentCount(), ledger.ackedCount(), client.elapsedSeconds(), ledger.ackedCount() / client.elapsedSeconds(), loadDuringRestart);
    figures.put("phase 1: retries", "%,d retried requests of %,d; failures %s; %,d event results unconfirmed; %,d first acknowledged as duplicate",
        client.retries(), client.requests(), client.failuresByKind(), ledger.unconfirmedResults(), ledger.duplicateFirstAckCount());
    assertTrue(served.allServedSeconds() >= 0, "users of the killed node not served within 120 s: " + served.neverServed());

    verifyExactlyOnce("phase 1");
  }

  @Test
  @Order(2)
  @Timeout(value = 420, unit = TimeUnit.SECONDS)
  void rollingRestartLosesNoEvent() throws Exception {
    assertTrue(cluster.nodes().stream().allMatch(NodeProcess::routable), "phase 1 left the cluster incomplete");
    List<BehaviorRow> slice = rows.subList(Math.min(FAILOVER_ROWS, rows.size()), rows.size());
    int ackedBefore = ledger.ackedCount();
    ReplayClient client = new ReplayClient(cluster::routableUrls, ledger, LANES, BATCH, ROLLING_RATE);
    client.start(slice);
    Thread.sleep(3000);
    long rollStart = System.nanoTime();
    List<String> steps = new ArrayList<>();
    for (NodeProcess node : cluster.nodes()) {
      Duration stopped = node.stop(Duration.ofSeconds(60));
      long restart = System.nanoTime();
      node.start();
      cluster.awaitReady(READY_TIMEOUT, node);
      double ready = secondsSince(restart);
      node.routable(true);
      cluster.awaitMembersUp(NODES, MEMBERS_TIMEOUT);
      String step = String.format("node %d: SIGTERM -> exit %s, start -> /ready %.1f s, -> 3 Up %.1f s", node.index,
          stopped == null ? "NOT within 60 s (killed)" : String.format("%.1f s", stopped.toMillis() / 1e3), ready, secondsSince(restart));
      steps.add(step);
      figures.put("phase 2: " + "restart node " + node.index, "%s", step.substring(step.indexOf(':') + 2));
      assertNotNull(stopped, "node " + node.index + " did not stop within 60 s of SIGTERM");
    }
    double rollSeconds = secondsSince(rollStart);
    boolean loadThroughout = !client.finished();
    Thread.sleep(2000);
    client.stop();
    assertTrue(client.await(Duration.ofSeconds(200)), "the replay did not finish");
    int acked = ledger.ackedCount() - ackedBefore;
    figures.put("phase 2: rolling restart", "%.1f s for 3 nodes, under load throughout: %s", rollSeconds, loadThroughout);
    figures.put("phase 2: replay", "%,d events acknowledged in %.1f s = %.0f events/s (paced at <= %.0f)",
        acked, client.elapsedSeconds(), acked / client.elapsedSeconds(), ROLLING_RATE);
    figures.put("phase 2: retries", "%,d retried requests of %,d; failures %s",
        client.retries(), client.requests(), client.failuresByKind());
    assertTrue(loadThroughout, "the replay ended before the rolling restart did: raise failover.rolling.rows");

    verifyExactlyOnce("phase 1 + 2");
  }

  /** Every event sent acknowledged; every profile counts exactly the acknowledged events. */
  private void verifyExactlyOnce(String phase) throws InterruptedException {
    assertEquals(List.of(), ledger.rejections().stream().limit(20).toList(), phase + ": events rejected");
    assertEquals(List.of(), ledger.givenUp().stream().limit(20).toList(), phase + ": events never acknowledged (given up)");
    Set<String> missing = ledger.unacknowledged();
    assertEquals(Set.of(), missing.stream().limit(20).collect(java.util.stream.Collectors.toSet()), phase + ": " + missing.size() + " events sent but not acknowledged");
    ProfileChecker.Result check = ProfileChecker.check(ledger.expectedCounts(), cluster::routableUrls, 8);
    figures.put(phase + ": exactly-once check", "%s", check.lost() == 0 && check.doubled() == 0 && check.unreadable().isEmpty()
        ? String.format("OK: %,d users, %,d events, none lost, none doubled (%.1f s)", check.users(), check.expectedEvents(), check.seconds())
        : "FAILED: " + check);
    assertTrue(check.exact(), phase + ": " + check);
  }

  private List<String> usersOnShards(Set<String> users, Set<Integer> shards) {
    List<String> on = new ArrayList<>();
    // The engine's own user -> shard function, the one its sharding places profiles by.
    ProfileShards shardOf = new ProfileShards(numberOfShards);
    users.stream().sorted().filter(u -> shards.contains(Integer.parseInt(shardOf.shardId(u)))).forEach(on::add);
    if (on.size() <= PROBE_USERS) return on;
    List<String> sample = new ArrayList<>();
    for (int i = 0; i < PROBE_USERS; i++) sample.add(on.get(i * on.size() / PROBE_USERS));
    return sample;
  }

  private static List<BehaviorRow> firstRowsInTimeOrder(Path file, int n) {
    List<BehaviorRow> all = TaobaoCsv.read(file, bad -> {});
    List<BehaviorRow> first = new ArrayList<>(all.subList(0, Math.min(n, all.size())));
    first.sort(Comparator.comparingLong(BehaviorRow::epochSecond)); // stable: a user's events stay in file order
    System.out.printf("failover: %,d rows of %s, %,d users%n", first.size(), file, first.stream().map(BehaviorRow::userId).distinct().count());
    return first;
  }

  private static Path dataFile() {
    return dev.profileengine.bench.SampleData.locate(null, dev.profileengine.bench.SampleData.SAMPLE);
  }

  private static double secondsSince(long nanos) {
    return (System.nanoTime() - nanos) / 1e9;
  }
}
