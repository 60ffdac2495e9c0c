package dev.profileengine.engine;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandlerWithReply;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import akka.persistence.typed.javadsl.RetentionCriteria;
import dev.profileengine.engine.cbor.CborSerializable;
import java.time.Instant;

/**
 * The record of forgotten users that outlives their data: one {@link UserForgotten} per erasure,
 * journaled with the change-stream tag so subscribers learn to forget the user too. It holds the
 * user id and the instant, nothing else. Users are spread over {@link #BUCKETS} entities by id.
 */
public final class ErasureLog
    extends EventSourcedBehaviorWithEnforcedReplies<ErasureLog.Command, ErasureLog.Event, ErasureLog.State> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "ErasureLog");
  static final int BUCKETS = 16;

  public static void init(ActorSystem<?> system) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_KEY, ctx -> new ErasureLog(ctx.getEntityId())));
  }

  /** The log entity that records {@code userId}. */
  public static String bucketOf(String userId) {
    return String.valueOf(Math.floorMod(userId.hashCode(), BUCKETS));
  }

  public sealed interface Command extends CborSerializable {}

  public record RecordForgotten(String userId, Instant at, ActorRef<Done> replyTo) implements Command {}

  public sealed interface Event extends CborSerializable {}

  public record UserForgotten(String userId, Instant at) implements Event {}

  /** How many erasures this bucket has recorded. */
  public record State(long recorded) implements CborSerializable {}

  private ErasureLog(String bucket) {
    super(PersistenceId.of(ENTITY_KEY.name(), bucket));
  }

  @Override
  public State emptyState() {
    return new State(0);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(1000, 1);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(RecordForgotten.class, (s, c) -> Effect().persist(new UserForgotten(c.userId(), c.at()))
            .thenReply(c.replyTo(), x -> Done.getInstance()))
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(UserForgotten.class, (s, e) -> new State(s.recorded() + 1))
        .build();
  }
}
