package dev.profileengine.engine;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import akka.actor.typed.javadsl.AskPattern;
import akka.cluster.MemberStatus;
import akka.cluster.sharding.ShardRegion;
import akka.cluster.sharding.typed.ClusterShardingQuery;
import akka.cluster.sharding.typed.GetShardRegionState;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.typed.Cluster;
import akka.persistence.jdbc.query.javadsl.JdbcReadJournal;
import akka.persistence.query.PersistenceQuery;
import akka.stream.javadsl.Sink;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node is ready when it is an Up cluster member, its {@link UserProfile} shard region answers,
 * and the journal answers a query. Used by Akka Management's {@code /ready} and the gateway's.
 */
public final class ReadinessCheck implements Supplier<CompletionStage<Boolean>> {
  private static final Logger log = LoggerFactory.getLogger(ReadinessCheck.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(3);

  private final ActorSystem<?> system;

  /** Akka Management instantiates health checks with the classic system. */
  public ReadinessCheck(akka.actor.ActorSystem classic) {
    this(Adapter.toTyped(classic));
  }

  public ReadinessCheck(ActorSystem<?> system) {
    this.system = system;
  }

  @Override
  public CompletionStage<Boolean> get() {
    if (Cluster.get(system).selfMember().status() != MemberStatus.up()) return CompletableFuture.completedFuture(false);
    return shardRegionAnswers().thenCompose(region -> region ? journalAnswers() : CompletableFuture.completedFuture(false));
  }

  private CompletionStage<Boolean> shardRegionAnswers() {
    ActorRef<ClusterShardingQuery> query = ClusterSharding.get(system).shardState();
    return AskPattern.<ClusterShardingQuery, ShardRegion.CurrentShardRegionState>ask(
            query, replyTo -> new GetShardRegionState(UserProfile.ENTITY_KEY, replyTo), TIMEOUT, system.scheduler())
        .handle((state, e) -> {
          if (e == null) return true;
          log.warn("Readiness: shard region did not answer: {}", e.toString());
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
