package dev.profileengine.cluster;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * An embedded PostgreSQL and N node JVMs on loopback, seeded like {@code scripts/cluster.sh}: every
 * node's Artery address, node 1 first, remoting over TLS (k8s/generate-cluster-certs.sh's key material). The nodes run a private copy of the fat jar, so a rebuild
 * in the same tree during the run does not pull it from under them. A JVM shutdown hook kills the
 * nodes if the test JVM exits without {@link #close()}.
 */
final class LocalCluster implements AutoCloseable {
  private final Path runDir;
  private final EmbeddedPostgres postgres;
  private final List<NodeProcess> nodes = new ArrayList<>();
  private final Thread reaper = new Thread(this::destroyAll, "failover-test-node-reaper");

  private LocalCluster(Path runDir, EmbeddedPostgres postgres) {
    this.runDir = runDir;
    this.postgres = postgres;
  }

  /** Starts PostgreSQL and the node JVMs (without waiting for them). */
  static LocalCluster start(Path dir, Path jar, int size) throws IOException {
    return start(dir, jar, size, Map.of(), List.of());
  }

  /** As {@link #start(Path, Path, int)}, with {@code env} added to every node's environment and {@code jvmOptions} to its command line. */
  static LocalCluster start(Path dir, Path jar, int size, Map<String, String> env, List<String> jvmOptions) throws IOException {
    Path runDir = dir.toAbsolutePath().normalize();
    deleteRecursively(runDir); // initdb refuses a non-empty directory left by an aborted run
    Files.createDirectories(runDir);
    if (!Files.isRegularFile(jar)) throw new IllegalStateException(jar.toAbsolutePath() + " not found: build it first (mvn -DskipTests install)");
    Path jarCopy = runDir.resolve("profile-engine.jar");
    Files.copy(jar, jarCopy, StandardCopyOption.REPLACE_EXISTING);
    EmbeddedPostgres pg = EmbeddedPostgres.builder()
        .setDataDirectory(runDir.resolve("postgres"))
        .setCleanDataDirectory(true)
        .setServerConfig("max_connections", "200")
        .setPGStartupWait(Duration.ofSeconds(60))
        .start();
    LocalCluster cluster = new LocalCluster(runDir, pg);
    Runtime.getRuntime().addShutdownHook(cluster.reaper);
    try {
      for (int i = 1; i <= size; i++) cluster.nodes.add(new NodeProcess(i, jarCopy, runDir));
      // Remoting over TLS with mutual authentication, key material made as an operator makes it.
      Path tls = clusterCerts(runDir.resolve("cluster-tls"));
      Map<String, String> common = new LinkedHashMap<>();
      common.put("PROFILE_REMOTE_TLS", "on");
      common.put("PROFILE_REMOTE_TLS_DIR", tls.toString());
      common.put("PROFILE_SEED_NODES", cluster.nodes.stream().map(NodeProcess::arteryAddress).collect(Collectors.joining(",")));
      common.put("PROFILE_JOURNAL", "postgres");
      common.put("PROFILE_DB_URL", "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/postgres");
      common.put("PROFILE_DB_USER", "postgres");
      common.put("PROFILE_DB_PASSWORD", "");
      common.putAll(env);
      for (NodeProcess n : cluster.nodes) n.configure(common, jvmOptions);
      System.out.printf("failover: PostgreSQL on 127.0.0.1:%d; seeds %s; logs in %s%n", pg.getPort(), common.get("PROFILE_SEED_NODES"), runDir.toAbsolutePath());
      for (NodeProcess n : cluster.nodes) n.start();
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /** Runs k8s/generate-cluster-certs.sh into {@code dir}: keystore.p12, truststore.p12, password. */
  private static Path clusterCerts(Path dir) throws IOException {
    Path script = null;
    for (Path p = Path.of("").toAbsolutePath(); p != null && script == null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("k8s/generate-cluster-certs.sh"))) script = p.resolve("k8s/generate-cluster-certs.sh");
    }
    if (script == null) throw new IllegalStateException("k8s/generate-cluster-certs.sh not found above " + Path.of("").toAbsolutePath());
    ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), "--out", dir.toString()).redirectErrorStream(true);
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    try {
      if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) throw new IllegalStateException("generate-cluster-certs.sh failed: " + out);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    return dir;
  }

  /** The journal's database, for a test's own connections (user postgres, no password). */
  String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
  }

  List<NodeProcess> nodes() {
    return nodes;
  }

  NodeProcess node(int index) {
    return nodes.get(index - 1);
  }

  /** Base URLs of the nodes the client may use now. */
  List<String> routableUrls() {
    return nodes.stream().filter(NodeProcess::routable).map(NodeProcess::baseUrl).toList();
  }

  /** Waits until every given node answers /ready; fails fast if one of them exits. */
  void awaitReady(Duration timeout, NodeProcess... which) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<NodeProcess> pending = new ArrayList<>(List.of(which));
    while (true) {
      for (NodeProcess n : pending) {
        if (!n.alive()) throw new AssertionError(n + " exited while starting: see " + n.log().toAbsolutePath());
      }
      pending.removeIf(NodeProcess::ready);
      if (pending.isEmpty()) return;
      if (System.nanoTime() > deadline) throw new AssertionError("not ready after " + timeout.toSeconds() + " s: " + pending + " (see " + runDir.toAbsolutePath() + ")");
      Thread.sleep(250);
    }
  }

  /** Waits until every node sees all {@code count} nodes Up and none unreachable. */
  void awaitMembersUp(int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      boolean all = true;
      for (NodeProcess n : nodes) {
        Set<String> up = n.upMembers();
        if (up.size() != count) {
          all = false;
          break;
        }
      }
      if (all) return;
      if (System.nanoTime() > deadline) {
        StringBuilder sb = new StringBuilder();
        for (NodeProcess n : nodes) sb.append("\n  ").append(n).append(" sees Up: ").append(n.upMembers());
        throw new AssertionError(count + " Up members not seen by every node after " + timeout.toSeconds() + " s:" + sb);
      }
      Thread.sleep(250);
    }
  }

  @Override
  public void close() {
    destroyAll();
    try {
      postgres.close();
    } catch (IOException e) {
      System.err.println("failover: PostgreSQL did not stop cleanly: " + e);
    }
    try {
      Runtime.getRuntime().removeShutdownHook(reaper);
    } catch (IllegalStateException ignored) {
      // the JVM is already shutting down
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) return;
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }

  private void destroyAll() {
    for (NodeProcess n : nodes) n.destroyQuietly();
  }
}
