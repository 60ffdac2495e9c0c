package dev.profileengine.engine;

import akka.actor.Address;
import com.typesafe.config.Config;
import java.io.IOException;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Whether this node is its own whole cluster or one of several, and whether other nodes can reach
 * it: one reading of the discovery, seed-node and Artery settings. {@code node.StartupChecks} refuses a
 * local journal on a shared node, {@code node.RemoteTls} refuses clear-text remoting on a reachable one,
 * and {@code node.ProfileEngine} joins by the same reading.
 *
 * @param discovery {@code profile.discovery}: {@code config} (static seeds, or none) or a Cluster Bootstrap method
 * @param seeds {@code profile.seed-nodes} (PROFILE_SEED_NODES), in order
 * @param self this node's Artery address as other nodes name it ({@code canonical} host and port)
 * @param listensOn the host Artery binds to: {@code bind.hostname}, else the canonical host
 * @param akkaSeedNodes whether {@code akka.cluster.seed-nodes} is set directly
 */
public record ClusterShape(String discovery, List<HostPort> seeds, HostPort self, String listensOn, boolean akkaSeedNodes) {
  public static final String CONFIG_DISCOVERY = "config";

  /** A {@code host:port} of a seed node or of this node. */
  public record HostPort(String host, int port) {
    @Override
    public String toString() {
      return host + ":" + port;
    }
  }

  public ClusterShape {
    seeds = List.copyOf(seeds);
  }

  /** From the engine's cluster settings (engine-cluster.conf; the raw Config, as it runs before the ActorSystem exists). */
  public static ClusterShape from(Config config) {
    String bind = config.getString("akka.remote.artery.bind.hostname");
    String canonical = config.getString("akka.remote.artery.canonical.hostname");
    return new ClusterShape(
        config.getString("profile.discovery"),
        seedNodes(config.getString("profile.seed-nodes")),
        new HostPort(canonical, config.getInt("akka.remote.artery.canonical.port")),
        bind.isBlank() ? canonical : bind,
        !config.getStringList("akka.cluster.seed-nodes").isEmpty());
  }

  /** Parses PROFILE_SEED_NODES, {@code host:port,host:port}; blank is none. */
  static List<HostPort> seedNodes(String spec) {
    if (spec == null || spec.isBlank()) return List.of();
    return Arrays.stream(spec.split(","))
        .map(String::strip)
        .filter(s -> !s.isEmpty())
        .map(s -> {
          int colon = s.lastIndexOf(':');
          if (colon < 1) throw new IllegalArgumentException("PROFILE_SEED_NODES entry '" + s + "' is not host:port");
          try {
            return new HostPort(s.substring(0, colon), Integer.parseInt(s.substring(colon + 1)));
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("PROFILE_SEED_NODES entry '" + s + "' is not host:port", e);
          }
        })
        .toList();
  }

  /** Joins through Cluster Bootstrap rather than configured seeds. */
  public boolean bootstrap() {
    return !discovery.equals(CONFIG_DISCOVERY);
  }

  /** The seed nodes as Akka addresses of the actor system {@code systemName}. */
  public List<Address> seedAddresses(String systemName) {
    return seeds.stream().map(s -> new Address("akka", systemName, s.host(), s.port())).toList();
  }

  /** Seeds that are not this node itself. */
  public List<HostPort> otherSeeds() {
    return seeds.stream().filter(s -> !s.equals(self)).toList();
  }

  /**
   * Why this node shares a cluster with other nodes, or empty when it is its own whole cluster (no
   * discovery, and no seed node but itself).
   */
  public Optional<String> sharedBecause() {
    if (bootstrap()) return Optional.of("PROFILE_DISCOVERY=" + discovery + " forms a multi-node cluster");
    List<HostPort> others = otherSeeds();
    if (!others.isEmpty()) return Optional.of("PROFILE_SEED_NODES names other nodes (" + others + ", this node is " + self + ")");
    if (akkaSeedNodes) return Optional.of("akka.cluster.seed-nodes is set, which forms a multi-node cluster");
    return Optional.empty();
  }

  /**
   * Why other nodes can reach this one, or empty for a single node on loopback. Any seed node counts,
   * even only itself: a seed list is what other nodes are given to join.
   */
  public Optional<String> reachableBecause() {
    Optional<String> shared = sharedBecause();
    if (shared.isPresent()) return shared;
    if (!seeds.isEmpty()) return Optional.of("PROFILE_SEED_NODES names seed nodes");
    if (!isLoopback(listensOn)) return Optional.of("Artery listens on " + listensOn + " (PROFILE_REMOTE_HOST), not loopback");
    return Optional.empty();
  }

  /** Only literal loopback addresses and "localhost" count: a name is not resolved at startup. */
  static boolean isLoopback(String host) {
    String h = host.strip();
    if (h.equalsIgnoreCase("localhost")) return true;
    if (!h.matches("[0-9.]+|\\[?[0-9a-fA-F:]+]?")) return false;
    try {
      return InetAddress.getByName(h).isLoopbackAddress();
    } catch (IOException e) {
      return false;
    }
  }
}
