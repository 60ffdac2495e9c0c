package dev.profileengine.engine;

import akka.actor.ActorRef;
import akka.actor.ActorSystem;
import akka.actor.Address;
import akka.cluster.Cluster;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.sharding.ShardCoordinator;
import scala.collection.immutable.IndexedSeq;
import scala.collection.immutable.Map;
import scala.collection.immutable.Set;
import scala.concurrent.Future;

/**
 * Places a new shard on the node whose region asked for it first, the node a client sent the
 * shard's first user to, while that node holds fewer than its fair share of all shards; otherwise,
 * and for every rebalance, Akka's least-shard strategy decides. On a cold cluster no shard is
 * placed yet: with the least-shard choice two of three events then hop to another node for good,
 * whereas a client that spreads users by the engine's shard function (the replay client's
 * {@code ShardRouting}) gets every shard where it sends it. The requester must be Up and of the
 * version the least-shard choice would take (a rolling update still moves shards to the newest
 * nodes), and no node passes its fair share, so the rebalancer finds nothing to move; until every
 * shard is placed it moves none unless a node holds more than its share of all shards.
 */
public final class RequesterFirstAllocation implements ShardCoordinator.ActorSystemDependentAllocationStrategy {
  // The least-shard choice is an already completed future: map it on the coordinator's thread.
  private static final scala.concurrent.ExecutionContext SAME_THREAD = akka.dispatch.ExecutionContexts.fromExecutor(Runnable::run);
  private final ShardCoordinator.ShardAllocationStrategy leastShards;
  private final int numberOfShards;
  private Cluster cluster;

  /** With the rebalance limits of Akka's sharding settings ({@code least-shard-allocation-strategy}). */
  public static RequesterFirstAllocation of(akka.actor.typed.ActorSystem<?> system, int numberOfShards) {
    var tuning = akka.cluster.sharding.typed.ClusterShardingSettings.create(system).tuningParameters();
    return new RequesterFirstAllocation(numberOfShards, tuning.leastShardAllocationAbsoluteLimit(), tuning.leastShardAllocationRelativeLimit());
  }

  RequesterFirstAllocation(int numberOfShards, int rebalanceAbsoluteLimit, double rebalanceRelativeLimit) {
    this.numberOfShards = numberOfShards;
    this.leastShards = ShardCoordinator.ShardAllocationStrategy$.MODULE$.leastShardAllocationStrategy(rebalanceAbsoluteLimit, rebalanceRelativeLimit);
  }

  @Override
  public void start(ActorSystem system) {
    if (leastShards instanceof ShardCoordinator.ActorSystemDependentAllocationStrategy s) s.start(system);
    else if (leastShards instanceof ShardCoordinator.StartableAllocationStrategy s) s.start();
    cluster = Cluster.get(system);
  }

  @Override
  public Future<ActorRef> allocateShard(ActorRef requester, String shardId, Map<ActorRef, IndexedSeq<String>> current) {
    return leastShards.allocateShard(requester, shardId, current).map(least -> {
      if (least.equals(requester) || !current.contains(requester) || !current.contains(least)) return least;
      boolean takes = takesRequester(current.apply(requester).size(), current.size(), numberOfShards)
          && sameStandingUp(member(requester.path().address()), member(least.path().address()));
      return takes ? requester : least;
    }, SAME_THREAD);
  }

  @Override
  public Future<Set<String>> rebalance(Map<ActorRef, IndexedSeq<String>> current, Set<String> rebalanceInProgress) {
    java.util.List<Integer> held = new java.util.ArrayList<>();
    current.values().foreach(shards -> held.add(shards.size()));
    if (!mayRebalance(held, numberOfShards)) return akka.dispatch.Futures.successful(scala.collection.immutable.Set$.MODULE$.empty());
    return leastShards.rebalance(current, rebalanceInProgress);
  }

  /**
   * While shards are still being placed, counts measured against the shards placed so far are
   * uneven by chance, and a shard handed off under load drops the messages buffered for it: so
   * until every shard is placed, only a region over its share of all shards is rebalanced.
   */
  static boolean mayRebalance(java.util.List<Integer> held, int numberOfShards) {
    if (held.isEmpty()) return false;
    int placed = held.stream().mapToInt(Integer::intValue).sum();
    if (placed >= numberOfShards) return true;
    int fairShare = (numberOfShards + held.size() - 1) / held.size();
    return held.stream().anyMatch(h -> h > fairShare);
  }

  /** Whether a region holding {@code held} shards may take one more: it stays within ceil(shards / regions). */
  static boolean takesRequester(int held, int regions, int numberOfShards) {
    int fairShare = (numberOfShards + regions - 1) / regions;
    return held + 1 <= fairShare;
  }

  private static boolean sameStandingUp(Member requester, Member least) {
    return requester != null && least != null && requester.status() == MemberStatus.up()
        && requester.appVersion().equals(least.appVersion());
  }

  /** The member at {@code address}; a local region's address has no host: this node. */
  private Member member(Address address) {
    Address full = address.hasGlobalScope() ? address : cluster.selfAddress();
    for (Member m : cluster.state().getMembers()) if (m.address().equals(full)) return m;
    return null;
  }
}
