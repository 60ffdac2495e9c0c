package dev.profileengine.engine.node;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import akka.cluster.MemberStatus;
import akka.cluster.sharding.ShardRegion;
import akka.cluster.typed.Cluster;
import akka.pattern.Patterns;
import akka.persistence.jdbc.query.javadsl.JdbcReadJournal;
import akka.persistence.query.PersistenceQuery;
import akka.stream.javadsl.Sink;
import dev.profileengine.engine.EngineSettings;
import dev.profileengine.engine.UserProfile;
import dev.profileengine.engine.model.AssignmentFollowed;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node is ready when it is an Up cluster member, its {@link UserProfile} shard region answers,
 * and the journal answers a query, and it serves the cluster's model assignment (see
 * {@link AssignmentFollowed}). Used by Akka Management's {@code /ready} and the gateway's.
 *
 * <p>The shard region and journal are probed in the background, once per
 * {@code profile.health.refresh-interval} per node (one {@link Probe} shared by every instance),
 * and a check answers from the latest probe: a flood of {@code /ready} costs no query and cannot
 * take the journal writers' connections. A probe older than {@code profile.health.stale-after}
 * counts as not ready.
 */
public final class ReadinessCheck implements Supplier<CompletionStage<Boolean>> {
  private static final Logger log = LoggerFactory.getLogger(ReadinessCheck.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(3);

  private final ActorSystem<?> system;

  /** The node's one background probe. */
  public static final class Probe implements akka.actor.typed.Extension {
    private final BackgroundValue<Boolean> value;
    private final Duration staleAfter;

    Probe(ActorSystem<?> system) {
      EngineSettings.Health health = EngineSettings.of(system).health();
      this.staleAfter = health.staleAfter();
      ReadinessCheck check = new ReadinessCheck(system);
      this.value = BackgroundValue.start(system, health.refreshInterval(), check::probe);
    }

    public static Probe get(ActorSystem<?> system) {
      return ProbeId.INSTANCE.apply(system);
    }

    /** Probes run so far (each is one shard-region ask and one journal query). */
    public long probes() {
      return value.loads();
    }
  }

  static final class ProbeId extends akka.actor.typed.ExtensionId<Probe> {
    static final ProbeId INSTANCE = new ProbeId();

    @Override
    public Probe createExtension(ActorSystem<?> system) {
      return new Probe(system);
    }
  }

  /** Akka Management instantiates health checks with the classic system. */
  public ReadinessCheck(akka.actor.ActorSystem classic) {
    this(Adapter.toTyped(classic));
  }

  public ReadinessCheck(ActorSystem<?> system) {
    this.system = system;
  }

  /** From memory: the member status now and the latest background probe (waiting only for the very first). */
  @Override
  public CompletionStage<Boolean> get() {
    if (Cluster.get(system).selfMember().status() != MemberStatus.up()) return CompletableFuture.completedFuture(false);
    if (!AssignmentFollowed.get(system).caughtUp()) return CompletableFuture.completedFuture(false);
    Probe probe = Probe.get(system);
    return probe.value.latestOrFirst().toCompletableFuture()
        .completeOnTimeout(null, TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
        .thenApply(r -> r != null && r.value() && r.age().compareTo(probe.staleAfter) <= 0);
  }

  /** One probe: the shard region answers, then the journal answers a query. */
  private CompletionStage<Boolean> probe() {
    return shardRegionAnswers().thenCompose(region -> region ? journalAnswers() : CompletableFuture.completedFuture(false));
  }

  /**
   * The region's shards answer with their entity counts ({@code GetShardRegionStats}): each shard
   * answers from its map's size, where {@code GetShardRegionState} made every shard copy the ids
   * of all its live entities, a cost that grew with the profiles in memory.
   */
  private CompletionStage<Boolean> shardRegionAnswers() {
    akka.actor.ActorRef region;
    try {
      region = akka.cluster.sharding.ClusterSharding.get(Adapter.toClassic(system)).shardRegion(UserProfile.ENTITY_KEY.name());
    } catch (IllegalStateException | IllegalArgumentException notStarted) {
      log.warn("Readiness: shard region not started: {}", notStarted.toString());
      return CompletableFuture.completedFuture(false);
    }
    return Patterns.ask(region, ShardRegion.getRegionStatsInstance(), TIMEOUT)
        .handle((stats, e) -> {
          if (e == null && stats instanceof ShardRegion.ShardRegionStats) return true;
          log.warn("Readiness: shard region did not answer: {}", e != null ? e.toString() : stats);
          return false;
        });
  }

  private CompletionStage<Boolean> journalAnswers() {
    JdbcReadJournal journal = PersistenceQuery.get(system).getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    return journal.currentEventsByPersistenceId("readiness-probe", 0, 1)
        .completionTimeout(TIMEOUT)
        .runWith(Sink.ignore(), system)
        .handleAsync((done, e) -> {
          if (e == null) return true;
          log.warn("Readiness: journal query failed: {}", e.toString());
          return false;
        }, system.executionContext());
  }
}
