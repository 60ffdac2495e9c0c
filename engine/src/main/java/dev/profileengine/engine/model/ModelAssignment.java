package dev.profileengine.engine.model;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.pubsub.Topic;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.pattern.StatusReply;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandlerWithReply;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import akka.persistence.typed.javadsl.ReplyEffect;
import akka.persistence.typed.javadsl.RetentionCriteria;
import dev.profileengine.engine.cbor.CborSerializable;
import dev.profileengine.model.registry.ModelRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;

/**
 * The cluster's one model assignment, journaled: the version every node serves and the A/B candidate
 * with its share of users. One entity ({@link #ID}); each stored change is published on the
 * {@link #TOPIC} topic so every node applies it at once (nodes also re-read it periodically, see
 * {@link NodeModels}). Whether a version exists is checked by the node taking the request: the
 * entity may run on a node with another registry.
 */
public final class ModelAssignment
    extends EventSourcedBehaviorWithEnforcedReplies<ModelAssignment.Command, ModelAssignment.Event, ModelAssignment.Assignment> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "ModelAssignment");
  /** The one entity id: there is one assignment per cluster. */
  public static final String ID = "cluster";
  /** The pub-sub topic of stored assignments. */
  public static final String TOPIC = "model-assignment";

  public static void init(ActorSystem<?> system, ActorRef<Topic.Command<Assignment>> topic) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_KEY, ctx -> new ModelAssignment(ctx.getEntityId(), topic, Clock.systemUTC())));
  }

  public sealed interface Command extends CborSerializable {}

  /** Serve {@code version} as the primary model on every node. */
  public record Activate(String version, ActorRef<StatusReply<Assignment>> replyTo) implements Command {}

  /** Route {@code percent}% of users (1..100) to {@code version} on every node. */
  public record SetCandidate(String version, int percent, ActorRef<StatusReply<Assignment>> replyTo) implements Command {}

  public record ClearCandidate(ActorRef<StatusReply<Assignment>> replyTo) implements Command {}

  public record GetAssignment(ActorRef<Assignment> replyTo) implements Command {}

  public sealed interface Event extends CborSerializable {}

  public record Activated(String version, Instant at) implements Event {}

  public record CandidateSet(String version, int percent, Instant at) implements Event {}

  public record CandidateCleared(Instant at) implements Event {}

  /**
   * The stored assignment. {@code revision} counts stored changes (0: nothing assigned, every node
   * serves its own default); {@code active} null: no version activated yet (the node's default
   * serves); {@code candidate} null: no A/B test.
   */
  public record Assignment(String active, String candidate, int candidatePercent, long revision, Instant updatedAt)
      implements CborSerializable {
    public static final Assignment NONE = new Assignment(null, null, 0, 0, null);

    public boolean assigned() {
      return revision > 0;
    }
  }

  private final ActorRef<Topic.Command<Assignment>> topic;
  private final Clock clock;

  ModelAssignment(String id, ActorRef<Topic.Command<Assignment>> topic, Clock clock) {
    super(PersistenceId.of(ENTITY_KEY.name(), id));
    this.topic = topic;
    this.clock = clock;
  }

  /** For the unit test: the entity without sharding. */
  static ModelAssignment create(ActorRef<Topic.Command<Assignment>> topic, Clock clock) {
    return new ModelAssignment(ID, topic, clock);
  }

  @Override
  public Assignment emptyState() {
    return Assignment.NONE;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(100, 1);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, Assignment> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Activate.class, this::activate)
        .onCommand(SetCandidate.class, this::setCandidate)
        .onCommand(ClearCandidate.class, (s, c) -> s.candidate() == null ? Effect().reply(c.replyTo(), StatusReply.success(s))
            : store(new CandidateCleared(clock.instant()), c.replyTo()))
        .onCommand(GetAssignment.class, (s, c) -> Effect().reply(c.replyTo(), s))
        .build();
  }

  private ReplyEffect<Event, Assignment> activate(Assignment s, Activate c) {
    String bad = versionError(c.version());
    if (bad != null) return Effect().reply(c.replyTo(), StatusReply.error(bad));
    if (c.version().equals(s.active())) return Effect().reply(c.replyTo(), StatusReply.success(s));
    return store(new Activated(c.version(), clock.instant()), c.replyTo());
  }

  private ReplyEffect<Event, Assignment> setCandidate(Assignment s, SetCandidate c) {
    String bad = versionError(c.version());
    if (bad == null && (c.percent() < 1 || c.percent() > 100)) bad = "percent: 1..100, was " + c.percent();
    if (bad != null) return Effect().reply(c.replyTo(), StatusReply.error(bad));
    if (c.version().equals(s.candidate()) && c.percent() == s.candidatePercent()) return Effect().reply(c.replyTo(), StatusReply.success(s));
    return store(new CandidateSet(c.version(), c.percent(), clock.instant()), c.replyTo());
  }

  private ReplyEffect<Event, Assignment> store(Event e, ActorRef<StatusReply<Assignment>> replyTo) {
    return Effect().persist(e)
        .thenRun(s -> topic.tell(Topic.publish(s)))
        .thenReply(replyTo, StatusReply::success);
  }

  /** The error naming the field, null when the name is acceptable. */
  static String versionError(String version) {
    try {
      ModelRegistry.checkVersionName(version);
      return null;
    } catch (IllegalArgumentException e) {
      return "version: " + e.getMessage();
    }
  }

  @Override
  public EventHandler<Assignment, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(Activated.class, (s, e) -> new Assignment(e.version(), s.candidate(), s.candidatePercent(), s.revision() + 1, e.at()))
        .onEvent(CandidateSet.class, (s, e) -> new Assignment(s.active(), e.version(), e.percent(), s.revision() + 1, e.at()))
        .onEvent(CandidateCleared.class, (s, e) -> new Assignment(s.active(), null, 0, s.revision() + 1, e.at()))
        .build();
  }

  /** True when {@code a} asks for something other than what {@code served} reports. */
  static boolean differs(Assignment a, String serving, String candidate, int percent) {
    if (a.active() != null && !a.active().equals(serving)) return true;
    return !Objects.equals(a.candidate(), candidate) || (a.candidate() != null && a.candidatePercent() != percent);
  }
}
