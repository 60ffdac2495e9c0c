package dev.profileengine.engine.model;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.pubsub.Topic;
import akka.actor.typed.receptionist.Receptionist;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import akka.cluster.typed.Cluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The cluster-wide model assignment as the API sees it: changes are first loaded on the node taking
 * the request (a missing or corrupt version is refused there, before anything is stored), then
 * stored in {@link ModelAssignment}, from which every node's {@link NodeModels} applies them.
 */
public final class ClusterModels {
  private static final Duration NODE_TIMEOUT = Duration.ofSeconds(2);

  private final ActorSystem<?> system;
  private final ModelService models;
  private final EntityRef<ModelAssignment.Command> entity;
  private final Executor blocking;
  private final Duration timeout;

  private ClusterModels(ActorSystem<?> system, ModelService models, Duration timeout) {
    this.system = system;
    this.models = models;
    this.entity = ClusterSharding.get(system).entityRefFor(ModelAssignment.ENTITY_KEY, ModelAssignment.ID);
    this.blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
    this.timeout = timeout;
  }

  /**
   * Starts the assignment entity, its topic and this node's {@link NodeModels}, which re-reads the
   * assignment every {@code profile.model.assignment-refresh}.
   */
  public static ClusterModels start(ActorSystem<?> system, ModelService models, Duration askTimeout) {
    ActorRef<Topic.Command<ModelAssignment.Assignment>> topic = system.systemActorOf(
        Topic.create(ModelAssignment.Assignment.class, ModelAssignment.TOPIC), "model-assignment-topic", Props.empty());
    ModelAssignment.init(system, topic);
    Duration refresh = system.settings().config().getDuration("profile.model.assignment-refresh");
    AssignmentFollowed.get(system).expect();
    system.systemActorOf(NodeModels.create(models, topic, refresh), "node-models", Props.empty());
    return new ClusterModels(system, models, askTimeout);
  }

  public ModelService local() {
    return models;
  }

  /** Loads {@code version} here (typed exceptions as {@link ModelService#activate}), then stores it for every node. */
  public CompletionStage<ModelAssignment.Assignment> activate(String version) {
    return CompletableFuture.runAsync(() -> models.activate(version), blocking)
        .thenCompose(x -> entity.askWithStatus(r -> new ModelAssignment.Activate(version, r), timeout));
  }

  /** Loads the candidate here, then stores the split for every node. */
  public CompletionStage<ModelAssignment.Assignment> setCandidate(String version, int percent) {
    return CompletableFuture.runAsync(() -> models.setCandidate(version, percent), blocking)
        .thenCompose(x -> entity.askWithStatus(r -> new ModelAssignment.SetCandidate(version, percent, r), timeout));
  }

  public CompletionStage<ModelAssignment.Assignment> clearCandidate() {
    // On the blocking dispatcher too: the service's lock may be held by a model loading.
    return CompletableFuture.runAsync(models::clearCandidate, blocking)
        .thenCompose(x -> entity.askWithStatus(ModelAssignment.ClearCandidate::new, timeout));
  }

  /** The stored assignment ({@link ModelAssignment.Assignment#NONE} when nothing was ever assigned). */
  public CompletionStage<ModelAssignment.Assignment> assignment() {
    return entity.ask(ModelAssignment.GetAssignment::new, timeout);
  }

  /** What every node that registered serves, by address; a node that does not answer in 2 s is listed with that error. */
  public CompletionStage<List<NodeModels.Served>> nodes() {
    CompletionStage<Receptionist.Listing> listing = AskPattern.ask(system.receptionist(),
        r -> Receptionist.find(NodeModels.KEY, r), timeout, system.scheduler());
    return listing.thenCompose(l -> {
      List<CompletableFuture<NodeModels.Served>> asks = new ArrayList<>();
      Duration perNode = timeout.compareTo(NODE_TIMEOUT) < 0 ? timeout : NODE_TIMEOUT;
      for (ActorRef<NodeModels.Command> node : l.getServiceInstances(NodeModels.KEY)) {
        akka.actor.Address a = node.path().address();
        String address = (a.hasLocalScope() ? Cluster.get(system).selfMember().address() : a).toString();
        asks.add(AskPattern.<NodeModels.Command, NodeModels.Served>ask(node, NodeModels.GetServed::new, perNode, system.scheduler())
            .toCompletableFuture()
            .exceptionally(e -> NodeModels.Served.unanswered(address, "no answer in " + perNode.toMillis() + " ms")));
      }
      return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).thenApply(x -> asks.stream()
          .map(CompletableFuture::join).sorted(Comparator.comparing(NodeModels.Served::node)).toList());
    });
  }
}
