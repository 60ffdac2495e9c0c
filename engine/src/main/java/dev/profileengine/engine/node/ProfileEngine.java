package dev.profileengine.engine.node;

import akka.actor.Address;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import akka.cluster.typed.JoinSeedNodes;
import akka.cluster.typed.SelfUp;
import akka.cluster.typed.Subscribe;
import akka.management.cluster.bootstrap.ClusterBootstrap;
import akka.management.javadsl.AkkaManagement;
import akka.persistence.jdbc.testkit.javadsl.SchemaUtils;
import com.typesafe.config.Config;
import dev.profileengine.engine.ClusterShape;
import dev.profileengine.engine.EngineSettings;
import dev.profileengine.engine.ErasureLog;
import dev.profileengine.engine.SegmentRecheckSettings;
import dev.profileengine.engine.UserProfile;
import dev.profileengine.engine.journal.H2JournalSchema;
import dev.profileengine.engine.journal.JournalDurability;
import dev.profileengine.engine.model.ClusterModels;
import dev.profileengine.engine.training.TrainingLoop;
import dev.profileengine.engine.training.TrainingSettings;
import dev.profileengine.engine.model.ModelService;
import dev.profileengine.engine.profiles.Profiles;
import dev.profileengine.engine.segments.SegmentProjection;
import dev.profileengine.engine.segments.SegmentRecheck;
import dev.profileengine.engine.segments.SegmentReevaluation;
import dev.profileengine.engine.segments.SegmentStore;
import dev.profileengine.engine.serialization.SerializationWrite;
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
  private final ReadinessCheck readiness;

  private final ClusterModels models;
  private final TrainingLoop training;

  private final SegmentStore segments;
  private final SegmentReevaluation reevaluation;
  private final Profiles profiles;
  private final ClusterMembers members;

  private ProfileEngine(ActorSystem<?> system, EngineSettings settings, ClusterModels models, TrainingLoop training,
                        SegmentStore segments, SegmentReevaluation reevaluation, Profiles profiles) {
    this.training = training;
    this.profiles = profiles;
    this.segments = segments;
    this.reevaluation = reevaluation;
    this.system = system;
    this.settings = settings;
    this.models = models;
    this.readiness = new ReadinessCheck(system);
    this.members = new ClusterMembers(system, new dev.profileengine.engine.profiles.ShardOwners(system, settings.askTimeout()));
    this.segmentCounts = BackgroundValue.start(system, settings.health().segmentCountsInterval(), segments::counts);
  }

  private final BackgroundValue<java.util.Map<String, Long>> segmentCounts;

  /** Members per segment, counted in the background (for /metrics: a scrape costs no query). */
  public BackgroundValue<java.util.Map<String, Long>> segmentCounts() {
    return segmentCounts;
  }

  /** Readiness probes run so far (see {@link ReadinessCheck}). */
  public long readinessProbes() {
    return ReadinessCheck.Probe.get(system).probes();
  }

  /** Registers the engine's metrics (entities, journal writer, change feed, the facade's) in {@code registry}. */
  public void registerMetrics(io.prometheus.metrics.model.registry.PrometheusRegistry registry) {
    profiles.registerMetrics(registry);
    dev.profileengine.engine.EngineMetrics.registerIn(registry);
    dev.profileengine.engine.journal.JournalMetrics.registerIn(registry);
    dev.profileengine.engine.changes.ChangeMetrics.registerIn(registry);
  }

  /**
   * Starts the engine on {@code system}; blocks until the journal schema exists. {@code limits}
   * bound the {@link Profiles} facade's work (the node's admission and subscriber settings).
   */
  public static ProfileEngine start(ActorSystem<?> system, Profiles.Limits limits) {
    EngineSettings settings = EngineSettings.of(system);
    try {
      journalSchema(system, settings).toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("journal schema could not be created: " + e.getMessage(), e);
    }
    ModelService models = settings.model().map(ModelService::start).orElse(null);
    if (models == null) log.info("Predictions disabled (profile.model.enabled = off)");
    else system.getWhenTerminated().thenRun(models::close);
    ErasureLog.init(system);
    ClusterModels clusterModels = models == null ? null : ClusterModels.start(system, models, settings.askTimeout());
    TrainingLoop training = clusterModels == null ? null : TrainingLoop.start(system, clusterModels,
        TrainingSettings.of(system.settings().config().getConfig("profile.model.training")), settings.askTimeout());
    UserProfile.init(system, settings, models);
    SegmentStore segments = new SegmentStore(system);
    SegmentProjection.init(system, segments);
    AkkaManagement.get(system).start().toCompletableFuture().join();
    joinCluster(system, settings.cluster());
    SegmentReevaluation reevaluation = new SegmentReevaluation(system, segments, settings.segments().fingerprint(), 4);
    // Once this node is Up (it asks entities through sharding).
    SegmentRecheckSettings recheck = settings.segmentRecheck();
    startWhenUp(system, () -> {
      reevaluation.startIfRulesChanged();
      SegmentRecheck.schedule(system, reevaluation, recheck);
      PendingLinks.resume(system).whenComplete((n, failure) -> {
        if (failure != null) log.warn("Could not look for unfinished identity merges: {}", failure.toString());
      });
    });
    // Only a node others may join waits on remote shard placements; a lone node places its own at once.
    if (settings.cluster().reachableBecause().isPresent())
      settings.placeShardsAfter().ifPresent(after -> ShardPlacement.start(system, after, settings.numberOfShards(),
          settings.cluster().seeds().size(), new dev.profileengine.engine.profiles.ShardOwners(system, settings.askTimeout())));
    Profiles profiles = new Profiles(system, settings, java.util.Optional.ofNullable(models),
        settings.recommendations(), limits);
    return new ProfileEngine(system, settings, clusterModels, training, segments, reevaluation, profiles);
  }

  /**
   * Creates the journal tables if missing: on H2 our variant of the plugin's schema (see
   * {@code schema/h2-journal.sql}: keyed by ordering, so tag queries read only their range), on
   * PostgreSQL the plugin's own (through {@code profile.journal.schema-creation}: with our journal
   * DAO configured the plugin would pick its legacy schema).
   */
  private static java.util.concurrent.CompletionStage<akka.Done> journalSchema(ActorSystem<?> system, EngineSettings settings) {
    if (!settings.journal().h2()) return SchemaUtils.createIfNotExists("profile.journal.schema-creation", system);
    return SchemaUtils.applyScript(H2JournalSchema.script(), system);
  }

  /** Runs {@code task} once this node is Up. */
  private static void startWhenUp(ActorSystem<?> system, Runnable task) {
    akka.actor.typed.ActorRef<SelfUp> listener = system.systemActorOf(Behaviors.<SelfUp>receiveMessage(up -> {
      task.run();
      return Behaviors.stopped();
    }), "segment-reevaluation-start", Props.empty());
    Cluster.get(system).subscriptions().tell(new Subscribe<>(listener, SelfUp.class));
  }

  private static void joinCluster(ActorSystem<?> system, ClusterShape shape) {
    Cluster cluster = Cluster.get(system);
    List<Address> seeds = shape.seedAddresses(system.name());
    if (!seeds.isEmpty() && shape.bootstrap()) {
      throw new IllegalArgumentException("set PROFILE_SEED_NODES or PROFILE_DISCOVERY=" + shape.discovery() + ", not both");
    }
    if (shape.bootstrap()) {
      log.info("Joining through Cluster Bootstrap with {} discovery", shape.discovery());
      ClusterBootstrap.get(system).start();
    } else if (seeds.isEmpty()) {
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
      log.info("Joining as a single-node cluster at {}", cluster.selfMember().address());
    } else {
      cluster.manager().tell(new JoinSeedNodes(seeds));
      log.info("Joining cluster through seed nodes {}", seeds);
    }
  }

  /** The node's predictions, empty when turned off. */
  public java.util.Optional<ModelService> models() {
    return clusterModels().map(ClusterModels::local);
  }

  /** The cluster-wide model assignment and this node's predictions, empty when turned off. */
  public java.util.Optional<ClusterModels> clusterModels() {
    return java.util.Optional.ofNullable(models);
  }

  /** The model feedback loop, empty when predictions are off. */
  public java.util.Optional<TrainingLoop> training() {
    return java.util.Optional.ofNullable(training);
  }

  /** The segment read side. */
  public SegmentStore segments() {
    return segments;
  }

  /** The background re-evaluation of segments after a rule change. */
  public SegmentReevaluation reevaluation() {
    return reevaluation;
  }

  /** The one way into the profiles for every protocol (built once per node). */
  public Profiles profiles() {
    return profiles;
  }

  public EngineSettings settings() {
    return settings;
  }

  public ActorSystem<?> system() {
    return system;
  }

  /** Which failures an acknowledged event survives on this node's journal (for {@code /ready}). */
  public JournalDurability durability() {
    return settings.journal().durability();
  }

  /** The cluster's members as this node sees them, with the shards and live profiles of each. */
  public CompletionStage<ClusterMembers.Snapshot> members() {
    return members.current();
  }

  /** See {@link ReadinessCheck}: Up member, shard region answering, journal answering. */
  public CompletionStage<Boolean> ready() {
    return readiness.get();
  }

  /**
   * Completes the journal, remoting ({@link RemoteTls}), version and serialization settings; refuses an
   * unsafe configuration first (see {@link StartupChecks}).
   */
  public static Config configure(Config config) {
    StartupChecks.check(config);
    return SerializationWrite.apply(AppVersion.apply(RemoteTls.resolve(JournalConfig.resolve(config))));
  }
}
