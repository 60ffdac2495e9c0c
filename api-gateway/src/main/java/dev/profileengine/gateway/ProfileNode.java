package dev.profileengine.gateway;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.ClusterEvent;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Subscribe;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.profileengine.engine.EngineSettings;
import dev.profileengine.engine.changes.ChangeFeed;
import dev.profileengine.engine.node.ProfileEngine;
import dev.profileengine.engine.profiles.InFlightLimit;
import dev.profileengine.engine.profiles.Profiles;
import dev.profileengine.engine.profiles.SubscriberLimit;
import dev.profileengine.gateway.auth.AccessControl;
import dev.profileengine.gateway.grpc.GrpcErrors;
import dev.profileengine.gateway.grpc.GrpcGuard;
import dev.profileengine.gateway.grpc.GrpcServer;
import dev.profileengine.gateway.grpc.ReflectionV1;
import dev.profileengine.gateway.grpc.ProfileGrpcService;
import dev.profileengine.gateway.http.GatewayMetrics;
import dev.profileengine.gateway.http.HttpAccess;
import dev.profileengine.gateway.http.HttpServer;
import dev.profileengine.gateway.http.ProfileRoutes;
import dev.profileengine.grpc.ProfileServicePowerApiHandlerFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A running node: the ActorSystem, the engine (journal, cluster, shard region) and the HTTP server. */
public final class ProfileNode implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ProfileNode.class);
  public static final String SYSTEM_NAME = "profile-engine";

  private final ActorSystem<Void> system;
  private final ProfileEngine engine;
  private final HttpServer binding;
  private final GrpcServer grpcBinding;

  private ProfileNode(ActorSystem<Void> system, ProfileEngine engine, HttpServer binding, GrpcServer grpcBinding) {
    this.system = system;
    this.engine = engine;
    this.binding = binding;
    this.grpcBinding = grpcBinding;
  }

  public int grpcPort() {
    return grpcBinding.localAddress().getPort();
  }

  /** The default configuration (application.conf and the environment) under {@code overrides}. */
  public static Config config(Config overrides) {
    ConfigFactory.invalidateCaches();
    return overrides.withFallback(ConfigFactory.load()).resolve();
  }

  public static ProfileNode start(Config config) {
    Config resolved = ProfileEngine.configure(config);
    GatewaySettings http = GatewaySettings.from(resolved);
    GatewayMetrics metrics = new GatewayMetrics();
    AccessControl access = AccessControl.from(http.apiKeys(), http.bind(), http.rateLimit().perSecond(), http.rateLimit().burst(),
        metrics::accessDenied);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), SYSTEM_NAME, resolved);
    try {
      logMembership(system);
      // One facade for HTTP and gRPC: they share its admission bounds, subscriber caps and metrics.
      ProfileEngine engine = ProfileEngine.start(system, new Profiles.Limits(http.admission().eventLimit(), http.admission().readLimit(),
          http.admission().dispatchWindow(), http.subscribers(), http.changes()));
      EngineSettings settings = engine.settings();
      metrics.bindEngine(engine);
      ProfileRoutes routes = new ProfileRoutes(engine, new ProfileRoutes.Limits(http.maxBodyBytes(), http.bodyTimeout(), http.maxEventsPerRequest(), http.maxAttributes(), http.changeHeartbeat()),
          new HttpAccess(access), metrics);
      HttpServer.Stats serverStats = new HttpServer.Stats();
      metrics.bindServer(serverStats);
      HttpServer binding = HttpServer.bind(system, http.bind(), http.port(), http.headerTimeout(), serverStats, routes.handler(system))
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      Duration drain = drainDeadline(system.settings().config());
      binding.addToCoordinatedShutdown(drain, system);
      ProfileGrpcService grpc = new ProfileGrpcService(system, engine.profiles(), access, http.maxEventsPerRequest());
      var reflection = akka.grpc.javadsl.ServerReflection.create(java.util.List.of(dev.profileengine.grpc.ProfileService.description), system);
      // The guard checks the key from the headers and caps each message before the handler reads a byte.
      GrpcServer grpcBinding = GrpcServer.bind(system, http.bind(), http.grpc().port(), http.headerTimeout(),
              new GrpcGuard(akka.grpc.javadsl.ServiceHandler.concatOrNotFound(
                  ProfileServicePowerApiHandlerFactory.create(grpc, GrpcErrors.mapper(), system), reflection, ReflectionV1.over(reflection)),
              access,
              http.grpc().maxMessageBytes(), http.bodyTimeout(), system))
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      metrics.bindGrpc(grpcBinding);
      grpcBinding.addToCoordinatedShutdown(drain, system);
      log.info("profile-engine {} started: http={}:{} grpc={} management={}:{} remote={} discovery={} journal={} data-dir={} seed-nodes=[{}]",
          version(), http.bind(), binding.localAddress().getPort(), grpcBinding.localAddress().getPort(),
          settings.management().bind(), settings.management().port(),
          Cluster.get(system).selfMember().address(), settings.cluster().discovery(), settings.journal().describe(),
          settings.journal().dataDir(), settings.cluster().seeds().stream().map(Object::toString).collect(Collectors.joining(",")));
      return new ProfileNode(system, engine, binding, grpcBinding);
    } catch (Exception e) {
      system.terminate();
      throw new IllegalStateException("node failed to start: " + e.getMessage(), e);
    }
  }

  /**
   * How long a stopping node lets busy connections finish: a second less than the shutdown phase
   * that waits for them. Cut after that phase timed out, they would be stopped under the system's
   * feet (a reset, errors in the log) instead of closed.
   */
  static Duration drainDeadline(com.typesafe.config.Config config) {
    String phase = "akka.coordinated-shutdown.phases.service-requests-done.timeout";
    Duration timeout = config.hasPath(phase) ? config.getDuration(phase) : config.getDuration("akka.coordinated-shutdown.default-phase-timeout");
    Duration drain = timeout.minusSeconds(1);
    return drain.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : drain;
  }

  /** Logs every cluster membership change: what an operator reads first when a node misbehaves. */
  private static void logMembership(ActorSystem<Void> system) {
    ActorRef<ClusterEvent.MemberEvent> listener = system.systemActorOf(
        Behaviors.<ClusterEvent.MemberEvent>receive((ctx, event) -> {
          ctx.getLog().info("Cluster membership: {}", event);
          return Behaviors.same();
        }),
        "membership-log", Props.empty());
    Cluster.get(system).subscriptions().tell(Subscribe.create(listener, ClusterEvent.MemberEvent.class));
  }

  public static String version() {
    String v = ProfileNode.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  public int httpPort() {
    return binding.localAddress().getPort();
  }

  /** The node's bound on events in flight (HTTP and gRPC ingest share it). */
  public InFlightLimit eventLimit() {
    return engine.profiles().eventLimit();
  }

  /** The node's bound on reads in flight (HTTP and gRPC profile reads share it). */
  public InFlightLimit readLimit() {
    return engine.profiles().readLimit();
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public ProfileEngine engine() {
    return engine;
  }

  /** Graceful stop: unbinds, finishes in-flight requests, leaves the cluster, closes the journal. */
  @Override
  public void close() {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("Node did not terminate cleanly: {}", e.toString());
    }
  }
}
