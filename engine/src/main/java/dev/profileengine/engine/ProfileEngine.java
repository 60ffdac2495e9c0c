package dev.profileengine.engine;

import akka.actor.Address;
import akka.actor.typed.ActorSystem;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import akka.cluster.typed.JoinSeedNodes;
import akka.persistence.jdbc.query.javadsl.JdbcReadJournal;
import akka.persistence.jdbc.testkit.javadsl.SchemaUtils;
import akka.persistence.query.PersistenceQuery;
import akka.stream.javadsl.Sink;
import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine part of a node: creates the journal schema if missing, joins the cluster (itself, or
 * the seed nodes of {@code PROFILE_SEED_NODES}) and starts the {@link UserProfile} shard region.
 */
public final class ProfileEngine {
  private static final Logger log = LoggerFactory.getLogger(ProfileEngine.class);

  private final ActorSystem<?> system;
  private final EngineSettings settings;
  private final JdbcReadJournal readJournal;

  private ProfileEngine(ActorSystem<?> system, EngineSettings settings) {
    this.system = system;
    this.settings = settings;
    this.readJournal = PersistenceQuery.get(system).getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
  }

  /** Starts the engine on {@code system}; blocks until the journal schema exists. */
  public static ProfileEngine start(ActorSystem<?> system) {
    EngineSettings settings = EngineSettings.from(system.settings().config());
    try {
      SchemaUtils.createIfNotExists(system).toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("journal schema could not be created: " + e.getMessage(), e);
    }
    joinCluster(system);
    UserProfile.init(system, settings);
    return new ProfileEngine(system, settings);
  }

  private static void joinCluster(ActorSystem<?> system) {
    Cluster cluster = Cluster.get(system);
    List<Address> seeds = seedNodes(system.settings().config().getString("profile.seed-nodes"), system.name());
    if (seeds.isEmpty()) {
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
      log.info("Joining as a single-node cluster at {}", cluster.selfMember().address());
    } else {
      cluster.manager().tell(new JoinSeedNodes(seeds));
      log.info("Joining cluster through seed nodes {}", seeds);
    }
  }

  /** Parses {@code host:port,host:port}. */
  static List<Address> seedNodes(String spec, String systemName) {
    if (spec == null || spec.isBlank()) return List.of();
    return Arrays.stream(spec.split(","))
        .map(String::strip)
        .filter(s -> !s.isEmpty())
        .map(s -> {
          int colon = s.lastIndexOf(':');
          if (colon < 1) throw new IllegalArgumentException("PROFILE_SEED_NODES entry '" + s + "' is not host:port");
          return new Address("akka", systemName, s.substring(0, colon), Integer.parseInt(s.substring(colon + 1)));
        })
        .toList();
  }

  public EngineSettings settings() {
    return settings;
  }

  public ActorSystem<?> system() {
    return system;
  }

  /** Ready when this node is an Up cluster member (so its shard region serves) and the journal answers a query. */
  public CompletionStage<Boolean> ready() {
    if (Cluster.get(system).selfMember().status() != MemberStatus.up()) {
      return java.util.concurrent.CompletableFuture.completedFuture(false);
    }
    return readJournal.currentEventsByPersistenceId("readiness-probe", 0, 1)
        .completionTimeout(Duration.ofSeconds(3))
        .runWith(Sink.ignore(), system)
        .handleAsync((done, e) -> {
          if (e == null) return true;
          log.warn("Readiness: journal query failed: {}", e.toString());
          return false;
        }, system.executionContext());
  }

  public static Config configure(Config config) {
    return JournalConfig.resolve(config);
  }
}
