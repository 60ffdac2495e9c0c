package dev.profileengine.gateway;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import akka.cluster.sharding.ShardRegion;
import akka.cluster.sharding.typed.ClusterShardingQuery;
import akka.cluster.sharding.typed.GetShardRegionState;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import dev.profileengine.engine.UserProfile;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** What a node holds of its profiles' entities, by the shard region's own account and by the journal's rows. */
final class ProfileEntities {
  private ProfileEntities() {}

  /** The profile shard region's state on {@code system}'s node: its shards and their live entities. */
  static ShardRegion.CurrentShardRegionState regionState(ActorSystem<?> system) throws Exception {
    return AskPattern.<ClusterShardingQuery, ShardRegion.CurrentShardRegionState>ask(
            ClusterSharding.get(system).shardState(),
            replyTo -> new GetShardRegionState(UserProfile.ENTITY_KEY, replyTo), Duration.ofSeconds(10), system.scheduler())
        .toCompletableFuture().get(15, TimeUnit.SECONDS);
  }

  /** The entity ids live on the node now. */
  static Set<String> live(TestNode node) throws Exception {
    Set<String> ids = new HashSet<>();
    for (var shard : regionState(node.node.system()).getShards()) ids.addAll(shard.getEntityIds());
    return ids;
  }

  /** Waits (30 s at most) until the entity of {@code key} is no longer live on the node. */
  static void awaitStopped(TestNode node, String key) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (live(node).contains(key)) {
      if (System.nanoTime() > deadline) throw new AssertionError("the entity " + key + " was still live after 30 s");
      Thread.sleep(50); // between polls of the shard's state; the loop ends at the deadline
    }
  }

  /** The manifests of the journal rows of {@code key}'s profile, in order, read from an H2 journal. */
  static List<String> manifests(Connection c, String key) throws Exception {
    List<String> manifests = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT \"event_ser_manifest\" FROM \"event_journal\" WHERE \"persistence_id\" = ? ORDER BY \"sequence_number\"")) {
      ps.setString(1, UserProfile.persistenceIdOf(key).id());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) manifests.add(rs.getString(1));
      }
    }
    return manifests;
  }
}
