package dev.profileengine.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One profile-engine node as a separate JVM ({@code java -jar profile-engine.jar}), configured like
 * {@code scripts/cluster.sh} does: its own HTTP, gRPC, management and Artery ports (free ports,
 * kept across restarts so a restarted node comes back at the same address), the shared seed list
 * and the PostgreSQL journal. Output goes to {@code node<i>.log} in the run directory, appended
 * across restarts with a marker line.
 */
final class NodeProcess {
  private static final List<String> JVM_OPTS = List.of("-Xms256m", "-Xmx768m", "-Dai.djl.offline=true");

  final int index;
  final int httpPort;
  final int grpcPort;
  final int managementPort;
  final int remotePort;
  private final Path jar;
  private final Path workDir;
  private final Path log;
  private final Map<String, String> env = new LinkedHashMap<>();
  private final List<String> jvmOptions = new ArrayList<>(JVM_OPTS);
  private volatile Process process;
  /** Whether the client may send to this node (false while it is down or being stopped): the load balancer's view. */
  private volatile boolean routable;

  NodeProcess(int index, Path jar, Path runDir) {
    this.index = index;
    this.jar = jar;
    this.workDir = runDir.resolve("node" + index);
    this.log = runDir.resolve("node" + index + ".log");
    int[] ports = freePorts(4);
    this.httpPort = ports[0];
    this.grpcPort = ports[1];
    this.managementPort = ports[2];
    this.remotePort = ports[3];
  }

  /** The settings every start uses; {@code common} holds the journal and seed variables; {@code extraJvmOptions} go after the defaults. */
  void configure(Map<String, String> common, List<String> extraJvmOptions) {
    jvmOptions.clear();
    jvmOptions.addAll(JVM_OPTS);
    jvmOptions.addAll(extraJvmOptions);
    env.clear();
    env.putAll(common);
    env.put("PROFILE_HTTP_PORT", String.valueOf(httpPort));
    env.put("PROFILE_GRPC_PORT", String.valueOf(grpcPort));
    env.put("PROFILE_MANAGEMENT_PORT", String.valueOf(managementPort));
    env.put("PROFILE_REMOTE_PORT", String.valueOf(remotePort));
    env.put("PROFILE_REMOTE_HOST", "127.0.0.1");
    env.put("PROFILE_BIND", "127.0.0.1");
    env.put("PROFILE_DISCOVERY", "config");
    env.put("PROFILE_DATA_DIR", workDir.resolve("data").toString());
    env.put("PROFILE_PREDICTIONS", "off");
    env.put("OPT_OUT_TRACKING", "true");
  }

  /** {@code 127.0.0.1:<artery port>}, as PROFILE_SEED_NODES lists it. */
  String arteryAddress() {
    return "127.0.0.1:" + remotePort;
  }

  String baseUrl() {
    return "http://127.0.0.1:" + httpPort;
  }

  String managementUrl() {
    return "http://127.0.0.1:" + managementPort;
  }

  synchronized void start() {
    if (alive()) throw new IllegalStateException("node " + index + " is already running");
    try {
      Files.createDirectories(workDir);
      Files.writeString(log, "\n===== " + java.time.Instant.now() + " test: starting node " + index + " =====\n",
          java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.addAll(jvmOptions);
      cmd.add("-jar");
      cmd.add(jar.toString());
      cmd.add("serve");
      ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      pb.environment().putAll(env);
      process = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start node " + index, e);
    }
  }

  /** kill -9: no coordinated shutdown, no shard hand-off. */
  void kill() throws InterruptedException {
    routable = false;
    Process p = process;
    if (p == null) return;
    p.destroyForcibly();
    p.waitFor(30, TimeUnit.SECONDS);
  }

  /**
   * SIGTERM (Akka's coordinated shutdown: leave the cluster, hand the shards off), then kill -9
   * after {@code timeout}. Returns how long the node took to exit, or null if it had to be killed.
   */
  Duration stop(Duration timeout) throws InterruptedException {
    routable = false;
    Process p = process;
    if (p == null || !p.isAlive()) return Duration.ZERO;
    long start = System.nanoTime();
    p.destroy();
    if (p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) return Duration.ofNanos(System.nanoTime() - start);
    p.destroyForcibly();
    p.waitFor(30, TimeUnit.SECONDS);
    return null;
  }

  /** Best effort, for clean-up paths: kill -9 and do not wait long. */
  void destroyQuietly() {
    routable = false;
    Process p = process;
    if (p != null && p.isAlive()) {
      p.destroyForcibly();
      try {
        p.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  boolean alive() {
    Process p = process;
    return p != null && p.isAlive();
  }

  long pid() {
    Process p = process;
    return p == null ? -1 : p.pid();
  }

  boolean routable() {
    return routable && alive();
  }

  void routable(boolean routable) {
    this.routable = routable;
  }

  /** Akka Management's readiness: Up member, shard region answering, journal answering. */
  boolean ready() {
    return alive() && Http.get(managementUrl() + "/ready", Duration.ofSeconds(3)).ok();
  }

  /** Addresses of the members this node sees as Up, or an empty set if it does not answer; unreachable ones excluded. */
  Set<String> upMembers() {
    Set<String> up = new HashSet<>();
    Http.Response r = Http.get(managementUrl() + "/cluster/members", Duration.ofSeconds(3));
    JsonNode json = r.ok() ? r.json() : null;
    if (json == null) return up;
    Set<String> unreachable = new HashSet<>();
    json.path("unreachable").forEach(u -> unreachable.add(u.path("node").asText()));
    json.path("members").forEach(m -> {
      String node = m.path("node").asText();
      if ("Up".equals(m.path("status").asText()) && !unreachable.contains(node)) up.add(node);
    });
    return up;
  }

  /** Ids of the UserProfile shards hosted by this node (Akka Management's cluster sharding route). */
  Set<Integer> shards() {
    Set<Integer> shards = new HashSet<>();
    Http.Response r = Http.get(managementUrl() + "/cluster/shards/UserProfile", Duration.ofSeconds(5));
    JsonNode json = r.ok() ? r.json() : null;
    if (json == null) throw new IllegalStateException("node " + index + ": /cluster/shards/UserProfile answered " + r.status() + " " + r.body());
    json.path("regions").forEach(s -> shards.add(s.path("shardId").asInt()));
    return shards;
  }

  Path log() {
    return log;
  }

  @Override
  public String toString() {
    return "node" + index + "(http " + httpPort + ", artery " + remotePort + ", pid " + pid() + ")";
  }

  /**
   * Ports given to a node of this JVM: never given again. A node binds its ports seconds after they
   * were free (its HTTP port last), and the kernel had handed node 1's HTTP port to node 3 as
   * free for its management port meanwhile (a cluster test failed to start).
   */
  private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private static int[] freePorts(int n) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      int[] ports = new int[n];
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
        sockets.add(s);
        if (!HANDED_OUT.add(s.getLocalPort())) {
          i--; // given before: keep it open so that the next try gets another
          continue;
        }
        ports[i] = s.getLocalPort();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (ServerSocket s : sockets) {
        try {
          s.close();
        } catch (IOException ignored) {
          // nothing to do
        }
      }
    }
  }
}
