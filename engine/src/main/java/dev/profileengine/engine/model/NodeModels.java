package dev.profileengine.engine.model;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.pubsub.Topic;
import akka.actor.typed.receptionist.Receptionist;
import akka.actor.typed.receptionist.ServiceKey;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import akka.cluster.typed.Cluster;
import dev.profileengine.engine.cbor.CborSerializable;
import dev.profileengine.model.inference.PoolStats;
import java.time.Duration;
import java.util.Optional;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One per node: keeps this node's {@link ModelService} on the cluster's {@link ModelAssignment}. It
 * learns changes from the assignment topic and re-reads the entity every {@code refresh} (a node
 * that missed a message, or just started, catches up), applies one assignment at a time on the
 * blocking dispatcher (loading a model takes a while), and answers {@link GetServed} for
 * {@code GET /v1/models} through the receptionist ({@link #KEY}).
 */
public final class NodeModels extends AbstractBehavior<NodeModels.Command> {
  public static final ServiceKey<Command> KEY = ServiceKey.create(Command.class, "node-models");

  public interface Command {}

  /** Asks what this node serves (sent between nodes). */
  public record GetServed(ActorRef<Served> replyTo) implements Command, CborSerializable {}

  /**
   * What one node serves: its address, primary and candidate, the assignment revision it last
   * applied, the error of the last assignment it could not apply (null when applied) and the online
   * score sums per version since it started (empty from a node before version 2 of this message).
   */
  public record Served(String node, String serving, String candidate, int candidatePercent, long appliedRevision, String error,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, ModelService.OnlineScore.Totals> online) implements CborSerializable {
    public Served {
      // Sorted: the same value is written as the same bytes.
      online = online == null ? Map.of() : java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(online));
    }

    /** A node that did not answer. */
    static Served unanswered(String node, String error) {
      return new Served(node, null, null, 0, 0, error, Map.of());
    }
  }

  private record Assigned(ModelAssignment.Assignment assignment) implements Command {}

  private enum Tick implements Command { INSTANCE }

  /** The entity did not answer in time (rebalancing, journal down): the next tick asks again. */
  private enum ReadFailed implements Command { INSTANCE }

  private record Applied(ModelAssignment.Assignment assignment, Optional<String> error) implements Command {}

  private final ModelService models;
  private final EntityRef<ModelAssignment.Command> entity;
  private final Duration askTimeout;
  private final String address;
  private ModelAssignment.Assignment applied = ModelAssignment.Assignment.NONE;
  private String error;
  private boolean applying;
  private ModelAssignment.Assignment pending;

  public static Behavior<Command> create(ModelService models, ActorRef<Topic.Command<ModelAssignment.Assignment>> topic, Duration refresh) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      ctx.getSystem().receptionist().tell(Receptionist.register(KEY, ctx.getSelf()));
      topic.tell(Topic.subscribe(ctx.messageAdapter(ModelAssignment.Assignment.class, Assigned::new)));
      timers.startTimerWithFixedDelay(Tick.INSTANCE, Duration.ZERO, refresh);
      return new NodeModels(ctx, models, refresh);
    }));
  }

  private NodeModels(ActorContext<Command> ctx, ModelService models, Duration refresh) {
    super(ctx);
    this.models = models;
    this.entity = ClusterSharding.get(ctx.getSystem()).entityRefFor(ModelAssignment.ENTITY_KEY, ModelAssignment.ID);
    this.askTimeout = refresh.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : refresh;
    this.address = Cluster.get(ctx.getSystem()).selfMember().address().toString();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Tick.class, t -> {
          getContext().pipeToSelf(entity.ask(ModelAssignment.GetAssignment::new, askTimeout),
              (a, failure) -> a == null ? ReadFailed.INSTANCE : new Assigned(a));
          return this;
        })
        .onMessage(ReadFailed.class, m -> this)
        .onMessage(Assigned.class, m -> {
          Behavior<Command> next = offer(m.assignment());
          if (!applying) AssignmentFollowed.get(getContext().getSystem()).followed(); // nothing to apply
          return next;
        })
        .onMessage(Applied.class, this::onApplied)
        .onMessage(GetServed.class, m -> {
          PoolStats s = models.stats();
          m.replyTo().tell(new Served(address, s.modelVersion(), s.candidateVersion(), s.candidatePercent(), applied.revision(), error,
              models.onlineTotals()));
          return this;
        })
        .build();
  }

  private Behavior<Command> offer(ModelAssignment.Assignment a) {
    // Nothing stored (the node's default serves), or an older read overtaken by a newer change.
    if (!a.assigned() || a.revision() < applied.revision()) return this;
    if (applying) {
      if (pending == null || a.revision() >= pending.revision()) pending = a;
      return this;
    }
    // Same revision, already served (no failure to retry, no change made behind our back): nothing to do.
    PoolStats s = models.stats();
    if (a.revision() == applied.revision() && error == null
        && !ModelAssignment.differs(a, s.modelVersion(), s.candidateVersion(), s.candidatePercent())) return this;
    applying = true;
    var blocking = getContext().getSystem().dispatchers().lookup(DispatcherSelector.blocking());
    getContext().pipeToSelf(CompletableFuture.supplyAsync(() -> models.follow(a), blocking),
        (err, failure) -> new Applied(a, failure != null ? Optional.of(failure.toString()) : err));
    return this;
  }

  private Behavior<Command> onApplied(Applied m) {
    applying = false;
    applied = m.assignment();
    AssignmentFollowed.get(getContext().getSystem()).followed();
    String failed = m.error().orElse(null);
    // Retried every refresh: logged when the outcome changes, not on every retry.
    if (failed != null && !failed.equals(error))
      getContext().getLog().warn("Model assignment {} not applied, the current model keeps serving: {}", applied.revision(), failed);
    else if (failed == null && error != null) getContext().getLog().info("Model assignment {} applied", applied.revision());
    error = failed;
    if (pending != null) {
      ModelAssignment.Assignment next = pending;
      pending = null;
      return offer(next);
    }
    return this;
  }
}
