package dev.profileengine.engine.node;

import akka.actor.Address;
import akka.actor.typed.ActorSystem;
import akka.cluster.ClusterEvent.CurrentClusterState;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import dev.profileengine.engine.profiles.ShardOwners;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

/**
 * The cluster's members as this node sees them (its gossip), each with the shards its region hosts
 * and the profiles alive in them. Membership is local state and always answers; the shard counts
 * come from asking every region, so a region that does not answer leaves its member's counts out
 * instead of failing the whole answer.
 */
public final class ClusterMembers {
  /**
   * @param self this node's address
   * @param leader the address of the member that moves others' status (none while there is none)
   * @param oldest the address of the longest-Up member (it hosts the cluster singletons), if any
   * @param members every member, in address order
   */
  public record Snapshot(String self, String leader, String oldest, List<MemberView> members) {}

  /**
   * One member.
   *
   * @param status Joining, WeaklyUp, Up, Leaving, Exiting, Down or Removed
   * @param reachable false while this node's failure detector does not hear it
   * @param shards shards its region hosts, null when its region did not answer
   * @param activeProfiles profile entities alive in those shards, null when its region did not answer
   */
  public record MemberView(String address, String status, boolean reachable, List<String> roles, String appVersion,
                           boolean self, boolean leader, boolean oldest, Integer shards, Long activeProfiles) {}

  private final ActorSystem<?> system;
  private final ShardOwners shards;

  public ClusterMembers(ActorSystem<?> system, ShardOwners shards) {
    this.system = system;
    this.shards = shards;
  }

  public CompletionStage<Snapshot> current() {
    return shards.regions()
        .exceptionally(failed -> Map.of())
        .thenApply(this::snapshot);
  }

  private Snapshot snapshot(Map<String, ShardOwners.Region> regions) {
    Cluster cluster = Cluster.get(system);
    CurrentClusterState state = cluster.state();
    String self = cluster.selfMember().address().toString();
    Address leaderAddress = state.getLeader();
    String leader = leaderAddress == null ? null : leaderAddress.toString();
    Set<Member> unreachable = state.getUnreachable();
    List<Member> members = new ArrayList<>();
    state.getMembers().forEach(members::add);
    // Only Up and Leaving members have an up-number to compare ages by.
    Member oldestMember = null;
    for (Member m : members) {
      boolean aged = m.status() == MemberStatus.up() || m.status() == MemberStatus.leaving();
      if (aged && (oldestMember == null || m.isOlderThan(oldestMember))) oldestMember = m;
    }
    String oldest = oldestMember == null ? null : oldestMember.address().toString();
    List<MemberView> views = members.stream().map(m -> {
      String address = m.address().toString();
      ShardOwners.Region region = regions.get(address);
      return new MemberView(address, m.status().toString(), !unreachable.contains(m),
          m.getRoles().stream().sorted().collect(Collectors.toList()), m.appVersion().version(),
          address.equals(self), address.equals(leader), address.equals(oldest),
          region == null ? null : region.shards().size(), region == null ? null : region.entities());
    }).toList();
    return new Snapshot(self, leader, oldest, views);
  }
}
