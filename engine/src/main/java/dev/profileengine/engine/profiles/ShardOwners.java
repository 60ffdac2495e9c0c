package dev.profileengine.engine.profiles;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import akka.cluster.sharding.ShardRegion;
import akka.cluster.sharding.typed.GetClusterShardingStats;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.typed.Cluster;
import dev.profileengine.engine.UserProfile;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;

/**
 * Which node hosts which profile shard now, as the shard regions of the cluster report it. A client
 * that sends each user's events to the node hosting the user's shard (the shard function is
 * {@link dev.profileengine.engine.ProfileShards}) saves every event a hop between nodes: the
 * receiving node hands the events to a local entity instead of serializing them to another node and
 * waiting for its answer. Shards not started yet (no user of theirs seen) are in no node's list.
 */
public final class ShardOwners {
  /**
   * @param self this node's cluster address ({@code akka://system@host:port})
   * @param shards the number of shards ({@code akka.cluster.sharding.number-of-shards})
   * @param owners each node's address and the ids of the shards it hosts, sorted
   */
  public record Snapshot(String self, int shards, Map<String, List<Integer>> owners) {}

  private final ActorSystem<?> system;
  private final Duration timeout;

  public ShardOwners(ActorSystem<?> system, Duration timeout) {
    this.system = system;
    this.timeout = timeout;
  }

  /**
   * What one node's shard region reports: the shards it hosts (sorted) and the profile entities
   * alive in them.
   */
  public record Region(List<Integer> shards, long entities) {}

  public CompletionStage<Snapshot> current() {
    String self = Cluster.get(system).selfMember().address().toString();
    int shards = system.settings().config().getInt("akka.cluster.sharding.number-of-shards");
    return regions().thenApply(regions -> {
      Map<String, List<Integer>> owners = new TreeMap<>();
      regions.forEach((address, region) -> owners.put(address, region.shards()));
      return new Snapshot(self, shards, owners);
    });
  }

  /** Every node's shard region as the cluster reports it, by the node's address. */
  public CompletionStage<Map<String, Region>> regions() {
    return AskPattern.<akka.cluster.sharding.typed.ClusterShardingQuery, ShardRegion.ClusterShardingStats>ask(
            ClusterSharding.get(system).shardState(),
            replyTo -> new GetClusterShardingStats(UserProfile.ENTITY_KEY, timeout, replyTo), timeout.plusSeconds(1), system.scheduler())
        .thenApply(stats -> {
          Map<String, Region> regions = new TreeMap<>();
          stats.getRegions().forEach((address, region) -> regions.put(address.toString(), new Region(
              region.getStats().keySet().stream().map(Integer::parseInt).sorted().toList(),
              region.getStats().values().stream().mapToLong(n -> ((Number) n).longValue()).sum())));
          return regions;
        });
  }
}
