package dev.profileengine.engine;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandlerWithReply;
import akka.persistence.typed.javadsl.CommandHandlerWithReplyBuilder;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import akka.persistence.typed.javadsl.ReplyEffect;
import akka.persistence.typed.javadsl.RetentionCriteria;
import dev.profileengine.profile.Admission;
import dev.profileengine.profile.BatchAdmission;
import dev.profileengine.profile.BehaviorEvent;
import dev.profileengine.profile.EventResult;
import dev.profileengine.profile.EventValidation;
import dev.profileengine.profile.FieldError;
import dev.profileengine.profile.ProfilePrediction;
import dev.profileengine.profile.ProfileState;
import dev.profileengine.profile.ProfileView;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One user's live profile: a sharded, event-sourced single writer. It validates and admits
 * incoming behaviors (exactly-once, lateness), persists the accepted ones in one {@code persistAll},
 * replies only after the write, and folds them into its {@link ProfileState} with pure domain code.
 */
public final class UserProfile
    extends EventSourcedBehaviorWithEnforcedReplies<UserProfile.Command, UserProfile.Event, ProfileState> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "UserProfile");

  /** Registers the entity with cluster sharding on this node. */
  public static void init(ActorSystem<?> system, EngineSettings settings, ModelService models) {
    ClusterSharding.get(system).init(
        Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId(), settings, Clock.systemUTC(), models)));
  }

  /** An entity without predictions. */
  public static Behavior<Command> create(String userId, EngineSettings settings, Clock clock) {
    return create(userId, settings, clock, null);
  }

  /** @param models the node's predictions, or null when predictions are off */
  public static Behavior<Command> create(String userId, EngineSettings settings, Clock clock, ModelService models) {
    return Behaviors.setup(ctx -> new UserProfile(ctx, userId, settings, clock, models));
  }

  // ---- commands ----

  public sealed interface Command extends CborSerializable {}

  /** Records a batch of one user's events; replies with one result per event, in order. */
  public record RecordEvents(List<BehaviorEvent> events, ActorRef<Recorded> replyTo) implements Command {}

  /** Reads the profile; {@code asOf} null means as of the latest event time. */
  public record GetProfile(Instant asOf, ActorRef<ProfileReply> replyTo) implements Command {}

  /** Sets static attributes (a null value removes the attribute). */
  public record SetAttributes(Map<String, Object> attributes, ActorRef<ProfileReply> replyTo) implements Command {}

  /** Internal: the inference pool answered. */
  public record PredictionReady(ProfilePrediction prediction) implements Command {}

  /** Internal: the inference pool could not answer (queue full, failure); the profile keeps its previous prediction. */
  public record PredictionFailed(String reason) implements Command {}

  // ---- replies ----

  public record Recorded(List<EventResult> results) implements CborSerializable {}

  /** The profile view, empty when the user is unknown. */
  public record ProfileReply(Optional<ProfileView> profile) implements CborSerializable {}

  // ---- events ----

  public sealed interface Event extends CborSerializable {}

  /** An accepted behavior, journaled as it arrived. */
  public record EventRecorded(BehaviorEvent event) implements Event {}

  public record AttributesSet(Map<String, Object> attributes, Instant at) implements Event {}

  /** A newer next-behavior prediction. */
  public record PredictionUpdated(ProfilePrediction prediction) implements Event {}

  // ---- behavior ----

  private final ActorContext<Command> context;
  private final String userId;
  private final EngineSettings settings;
  private final Clock clock;
  private final ModelService models;
  // At most one prediction in flight per profile; events arriving meanwhile coalesce into the next.
  private boolean predictionInFlight;
  private String coalescedEventId;

  private UserProfile(ActorContext<Command> context, String userId, EngineSettings settings, Clock clock, ModelService models) {
    // A failed write restarts the entity with back-off instead of stopping it.
    super(PersistenceId.of(ENTITY_KEY.name(), userId),
        akka.actor.typed.SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    this.context = context;
    this.userId = userId;
    this.settings = settings;
    this.clock = clock;
    this.models = models;
  }

  @Override
  public ProfileState emptyState() {
    return ProfileState.empty(userId);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), settings.snapshotsKept());
  }

  /** Every event feeds the change stream (see {@link ChangeFeed}). */
  @Override
  public java.util.Set<String> tagsFor(Event event) {
    return CHANGE_TAGS;
  }

  private static final java.util.Set<String> CHANGE_TAGS = java.util.Set.of(ChangeFeed.TAG);

  @Override
  public CommandHandlerWithReply<Command, Event, ProfileState> commandHandler() {
    CommandHandlerWithReplyBuilder<Command, Event, ProfileState> b = newCommandHandlerWithReplyBuilder();
    b.forState(s -> !s.exists())
        .onCommand(GetProfile.class, (s, c) -> Effect().reply(c.replyTo(), new ProfileReply(Optional.empty())));
    b.forAnyState()
        .onCommand(RecordEvents.class, this::onRecordEvents)
        .onCommand(SetAttributes.class, this::onSetAttributes)
        .onCommand(PredictionReady.class, this::onPredictionReady)
        .onCommand(PredictionFailed.class, this::onPredictionFailed)
        .onCommand(GetProfile.class, (s, c) -> Effect().reply(c.replyTo(), new ProfileReply(Optional.of(s.view(c.asOf(), settings.profile())))));
    return b.build();
  }

  private ReplyEffect<Event, ProfileState> onRecordEvents(ProfileState state, RecordEvents cmd) {
    Instant now = clock.instant();
    EventValidation validation = settings.validation();
    BatchAdmission admission = new BatchAdmission(state, settings.profile());
    List<EventResult> results = new ArrayList<>(cmd.events().size());
    List<Event> accepted = new ArrayList<>(cmd.events().size());
    for (BehaviorEvent e : cmd.events()) {
      List<FieldError> errors = validation.validate(e, now);
      if (errors.isEmpty() && !userId.equals(e.userId())) errors = List.of(new FieldError("userId", "does not belong to profile " + userId));
      if (!errors.isEmpty()) {
        results.add(EventResult.invalid(e.eventId(), errors));
        continue;
      }
      Admission a = admission.admit(e);
      results.add(EventResult.of(e.eventId(), a));
      if (a instanceof Admission.Accept) accepted.add(new EventRecorded(e));
    }
    Recorded reply = new Recorded(List.copyOf(results));
    if (accepted.isEmpty()) return Effect().reply(cmd.replyTo(), reply);
    scoreLastPrediction(state, accepted);
    String lastId = ((EventRecorded) accepted.get(accepted.size() - 1)).event().eventId();
    return Effect().persist(accepted)
        .thenRun(s -> requestPrediction(s, lastId))
        .thenReply(cmd.replyTo(), s -> reply);
  }

  /** Online feedback: the first new event is the "next behavior" the current prediction was about. */
  private void scoreLastPrediction(ProfileState state, List<Event> accepted) {
    ProfilePrediction p = state.prediction();
    if (models == null || p == null || p.asOfEventCount() != state.eventCount()) return;
    BehaviorEvent next = ((EventRecorded) accepted.get(0)).event();
    if (next.timeMillis() >= state.lastEventMillis()) models.feedback(p, next.type());
  }

  private void requestPrediction(ProfileState state, String eventId) {
    if (models == null) return;
    if (predictionInFlight) {
      coalescedEventId = eventId;
      return;
    }
    predictionInFlight = true;
    context.pipeToSelf(models.predict(userId, state.recentBehaviors(), state.eventCount(), eventId),
        (p, failure) -> failure == null ? new PredictionReady(p) : new PredictionFailed(failure.toString()));
  }

  private ReplyEffect<Event, ProfileState> onPredictionReady(ProfileState state, PredictionReady cmd) {
    predictionInFlight = false;
    ProfilePrediction current = state.prediction();
    boolean newer = current == null || cmd.prediction().asOfEventCount() > current.asOfEventCount();
    String next = coalescedEventId;
    coalescedEventId = null;
    if (!newer) {
      if (next != null) requestPrediction(state, next);
      return Effect().noReply();
    }
    return Effect().persist(new PredictionUpdated(cmd.prediction()))
        .thenRun(s -> {
          if (next != null) requestPrediction(s, next);
        })
        .thenNoReply();
  }

  private ReplyEffect<Event, ProfileState> onPredictionFailed(ProfileState state, PredictionFailed cmd) {
    predictionInFlight = false;
    coalescedEventId = null;
    context.getLog().debug("Prediction for {} not refreshed: {}", userId, cmd.reason());
    return Effect().noReply();
  }

  private ReplyEffect<Event, ProfileState> onSetAttributes(ProfileState state, SetAttributes cmd) {
    return Effect()
        .persist(new AttributesSet(cmd.attributes(), clock.instant()))
        .thenReply(cmd.replyTo(), s -> new ProfileReply(Optional.of(s.view(null, settings.profile()))));
  }

  @Override
  public EventHandler<ProfileState, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(EventRecorded.class, (s, e) -> s.apply(e.event(), settings.profile()))
        .onEvent(AttributesSet.class, (s, e) -> s.withAttributes(e.attributes()))
        .onEvent(PredictionUpdated.class, (s, e) -> s.withPrediction(e.prediction()))
        .build();
  }
}
