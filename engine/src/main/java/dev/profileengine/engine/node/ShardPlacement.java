package dev.profileengine.engine.node;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.ClusterEvent;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Subscribe;
import dev.profileengine.engine.ProfileShards;
import dev.profileengine.engine.UserProfile;
import dev.profileengine.engine.profiles.ShardOwners;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Places the profile shards no node hosts yet, once the cluster's membership has been still for a
 * while: each node starts the shards {@code s} with {@code s mod members == its rank} among the Up
 * members (by address), each by reading a reserved profile id of that shard (the entity stops once
 * recovered), and the coordinator
 * places a shard on the node asking ({@code RequesterFirstAllocation}). The coordinator places one
 * shard at a time, each a write to every node's replica; on a cold cluster taking load, its 256
 * placements queued behind the first events for seconds, and each node's first batch of 500 new
 * users outlasted the 10 s ask timeout at 0.4 core. Placed before traffic, a client routing by owner
 * ({@code GET /v1/cluster/shards}) sends no event through a placement.
 */
public final class ShardPlacement {
  private static final Logger log = LoggerFactory.getLogger(ShardPlacement.class);
  private ShardPlacement() {}

  sealed interface Msg {}

  private record MembersChanged() implements Msg {}

  private record Settled() implements Msg {}

  private record Owners(ShardOwners.Snapshot snapshot, Throwable failure) implements Msg {}

  /** How long placement waits for the configured seed nodes to be Up before it places with fewer. */
  static final Duration SEEDS_WAIT = Duration.ofSeconds(60);

  /**
   * Starts placing on this node: on every membership change, {@code settle} after it, once
   * {@code seeds} members are Up (the configured seed nodes; a node starting later than the others
   * would otherwise find every shard placed) or {@link #SEEDS_WAIT} has passed.
   */
  public static void start(ActorSystem<?> system, Duration settle, int shards, int seeds, ShardOwners owners) {
    system.systemActorOf(Behaviors.supervise(behavior(settle, shards, seeds, owners)).onFailure(SupervisorStrategy.restart()),
        "shard-placement", akka.actor.typed.Props.empty());
  }

  private static Behavior<Msg> behavior(Duration settle, int shards, int seeds, ShardOwners owners) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      ActorRef<ClusterEvent.MemberEvent> events = ctx.messageAdapter(ClusterEvent.MemberEvent.class, e -> new MembersChanged());
      Cluster cluster = Cluster.get(ctx.getSystem());
      cluster.subscriptions().tell(Subscribe.create(events, ClusterEvent.MemberEvent.class));
      List<String> reserved = new ProfileShards(shards).placementIds();
      long since = System.nanoTime();
      // Checked again after each round until this node's shards are all placed: a region not yet
      // registered with the coordinator, or a placement lost in a membership change, gets another go.
      timers.startSingleTimer("settle", new Settled(), settle);
      return Behaviors.receive(Msg.class)
          .onMessage(MembersChanged.class, m -> {
            timers.startSingleTimer("settle", new Settled(), settle);
            return Behaviors.same();
          })
          .onMessage(Settled.class, m -> {
            boolean seedsUp = upMembers(cluster).size() >= seeds || System.nanoTime() - since > SEEDS_WAIT.toNanos();
            if (cluster.selfMember().status() != MemberStatus.up() || !seedsUp) timers.startSingleTimer("settle", new Settled(), settle);
            else ctx.pipeToSelf(owners.current(), Owners::new);
            return Behaviors.same();
          })
          .onMessage(Owners.class, o -> {
            if (o.failure() != null) {
              log.info("Shard placement: shard owners not known ({}), trying again", o.failure().toString());
              timers.startSingleTimer("settle", new Settled(), settle);
              return Behaviors.same();
            }
            List<String> up = upMembers(cluster);
            int rank = up.indexOf(cluster.selfMember().address().toString());
            log.debug("Shard placement: up {}, rank {}, placed {}", up, rank, o.snapshot().owners());
            if (rank < 0) return Behaviors.same();
            Set<Integer> placed = new HashSet<>();
            o.snapshot().owners().values().forEach(placed::addAll);
            ClusterSharding sharding = ClusterSharding.get(ctx.getSystem());
            int started = 0;
            for (int s : mine(shards, up.size(), rank, placed)) {
              sharding.entityRefFor(UserProfile.ENTITY_KEY, reserved.get(s))
                  .tell(new UserProfile.GetProfile(null, ctx.getSystem().ignoreRef()));
              started++;
            }
            if (started > 0) {
              log.info("Placing {} shards no node hosted (rank {} of {} members)", started, rank, up.size());
              timers.startSingleTimer("settle", new Settled(), settle);
            }
            return Behaviors.same();
          })
          .build();
    }));
  }

  /** The addresses of the Up members, sorted: every node ranks them alike. */
  private static List<String> upMembers(Cluster cluster) {
    List<String> up = new ArrayList<>();
    for (Member member : cluster.state().getMembers())
      if (member.status() == MemberStatus.up()) up.add(member.address().toString());
    up.sort(null);
    return up;
  }

  /** The shards this node places: those of its rank that no node hosts. */
  static List<Integer> mine(int shards, int members, int rank, Set<Integer> placed) {
    List<Integer> out = new ArrayList<>();
    for (int s = rank; s < shards; s += members) if (!placed.contains(s)) out.add(s);
    return out;
  }
}
