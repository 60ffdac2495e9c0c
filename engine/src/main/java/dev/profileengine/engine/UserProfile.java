package dev.profileengine.engine;

import static com.fasterxml.jackson.annotation.JsonInclude.Include.NON_EMPTY;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.SnapshotCompleted;
import akka.persistence.typed.SnapshotFailed;
import akka.persistence.typed.javadsl.CommandHandlerWithReply;
import akka.persistence.typed.javadsl.EffectBuilder;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import akka.persistence.typed.javadsl.ReplyEffect;
import akka.persistence.typed.javadsl.RetentionCriteria;
import akka.persistence.typed.javadsl.SignalHandler;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.profileengine.engine.cbor.CborSerializable;
import dev.profileengine.engine.model.ModelService;
import dev.profileengine.profile.Admission;
import dev.profileengine.profile.AttributeChanges;
import dev.profileengine.profile.BatchAdmission;
import dev.profileengine.profile.BehaviorEvent;
import dev.profileengine.profile.Consent;
import dev.profileengine.profile.EventResult;
import dev.profileengine.profile.EventValidation;
import dev.profileengine.profile.FieldError;
import dev.profileengine.profile.IdentityLinks;
import dev.profileengine.profile.ProfilePrediction;
import dev.profileengine.profile.ProfileState;
import dev.profileengine.profile.ProfileView;
import dev.profileengine.profile.SegmentChange;
import dev.profileengine.profile.identity.BlockOrigins;
import dev.profileengine.profile.identity.Ledger;
import dev.profileengine.profile.identity.LedgerEntry;
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
 * Commands are handled by state (being erased, absent, any); predictions are requested through
 * {@link PredictionRequests}, a forget runs through {@link Erasure}, and segment changes are
 * computed by the domain's {@link SegmentChange}.
 */
public final class UserProfile
    extends EventSourcedBehaviorWithEnforcedReplies<UserProfile.Command, UserProfile.Event, ProfileState> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "UserProfile");

  /** The journal's id for the user's rows. */
  public static PersistenceId persistenceIdOf(String userId) {
    return PersistenceId.of(ENTITY_KEY.name(), userId);
  }

  /** Registers the entity with cluster sharding on this node. */
  public static void init(ActorSystem<?> system, EngineSettings settings, ModelService models) {
    Env env = Env.of(system, settings, Clock.systemUTC(), models, new ProfileForgetter(system, settings.askTimeout()));
    int shards = settings.numberOfShards();
    ClusterSharding.get(system).init(
        Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId(), env, ctx.getShard()))
            .withStopMessage(STOP)
            .withMessageExtractor(new ProfileShards(shards))
            .withAllocationStrategy(RequesterFirstAllocation.of(system, shards)));
  }

  /** An entity without predictions that cannot forget (unit tests of the profile logic). */
  public static Behavior<Command> create(String userId, EngineSettings settings, Clock clock) {
    return create(userId, settings, clock, null, null);
  }

  /**
   * @param models the node's predictions, or null when predictions are off
   * @param forgetter erases the profile on {@link Forget}, or null when this entity cannot forget
   */
  public static Behavior<Command> create(String userId, EngineSettings settings, Clock clock, ModelService models,
                                         ProfileForgetter forgetter) {
    return create(userId, settings, clock, models, forgetter, null);
  }

  /** @param shard the entity's shard, to passivate through after a forget; null: stop instead */
  public static Behavior<Command> create(String userId, EngineSettings settings, Clock clock, ModelService models,
                                         ProfileForgetter forgetter, ActorRef<ClusterSharding.ShardCommand> shard) {
    return Behaviors.setup(ctx -> new UserProfile(ctx, userId, Env.of(ctx.getSystem(), settings, clock, models, forgetter), shard));
  }

  // Akka keeps each entity's setup function for restarts: it captures the node's one Env.
  private static Behavior<Command> create(String userId, Env env, ActorRef<ClusterSharding.ShardCommand> shard) {
    return Behaviors.setup(ctx -> new UserProfile(ctx, userId, env, shard));
  }

  /**
   * What every entity of a node shares, one instance per node: each live entity (and its helpers)
   * holds one reference instead of one per part.
   *
   * @param models the node's predictions, or null when predictions are off
   * @param forgetter erases a profile on {@link Forget}, or null when entities cannot forget
   */
  record Env(EngineSettings settings, Clock clock, ModelService models, ProfileForgetter forgetter,
             EventTimeWatermark watermark, HostedProfiles hosted) {
    static Env of(ActorSystem<?> system, EngineSettings settings, Clock clock, ModelService models, ProfileForgetter forgetter) {
      return new Env(settings, clock, models, forgetter, EventTimeWatermark.get(system), HostedProfiles.get(system));
    }
  }

  // ---- commands ----

  public sealed interface Command extends CborSerializable {}

  /** Records a batch of one user's events; replies with one result per event, in order. */
  public record RecordEvents(List<BehaviorEvent> events, ActorRef<Recorded> replyTo) implements Command {}

  /** Reads the profile; {@code asOf} null means as of the latest event time. */
  public record GetProfile(Instant asOf, ActorRef<ProfileReply> replyTo) implements Command {}

  /** Sets static attributes (a null value removes the attribute). */
  public record SetAttributes(Map<String, Object> attributes, ActorRef<ProfileReply> replyTo) implements Command {}

  /** Sets consent choices per purpose; purposes not named keep their current value. */
  public record SetConsent(Map<Consent.Purpose, Boolean> changes, ActorRef<ProfileReply> replyTo) implements Command {}

  /**
   * Forgets the user: every journal row and snapshot of the profile is removed, leaving only a
   * {@link Forgotten} tombstone, and a {@code forgotten} change is notified; the entity then stops
   * and recovers the tombstone, so events stamped before the forget are refused and later ones
   * start afresh.
   */
  public record Forget(ActorRef<ForgetReply> replyTo) implements Command {}

  /**
   * Forgets this profile's own rows even when it is merged into another (a forget of a canonical
   * profile erases every profile merged into it this way, then itself).
   */
  public record ForgetHere(ActorRef<ForgetReply> replyTo) implements Command {}

  /** Internal: the profile's rows are gone. */
  public record ForgetDone(JournalEraser.Erased erased) implements Command {}

  /** Internal: erasure failed; the profile is unchanged and serving. */
  public record ForgetFailed(String reason) implements Command {}

  /** Internal: a snapshot write finished, a waiting {@link Forget} may go on. */
  public record SnapshotSettled() implements Command {}

  /**
   * Evaluates the segment rules again (after a rule change, or as time passes) as of {@code asOf}
   * (null, or an instant before the latest event: the latest event time) and records a difference;
   * replies whether the membership changed. A profile that does not exist answers false.
   */
  public record ReevaluateSegments(Instant asOf, ActorRef<Boolean> replyTo) implements Command {}

  /** Internal: the inference pool answered. */
  public record PredictionReady(ProfilePrediction prediction) implements Command {}

  /**
   * The shard's stop message (passivation, or {@link ClusterSharding.Passivate} from the entity
   * itself): the entity stops once nothing is waiting on it, so no stashed command, awaited reply
   * or prediction in flight is lost; the shard holds the profile's messages meanwhile.
   */
  public record Stop() implements Command {}

  static final Stop STOP = new Stop();

  /** Internal: the inference pool could not answer (queue full, failure); the profile keeps its previous prediction. */
  public record PredictionFailed(String reason) implements Command {}

  /** Internal: the prediction a waiting write leads to, empty when none came within the wait. */
  public record WritePredicted(Optional<ProfilePrediction> prediction) implements Command {}

  /** Which profile this identity belongs to now: the canonical profile answers (a merged one forwards). */
  public record Resolve(ActorRef<Resolution> replyTo) implements Command {}

  /**
   * Merges this canonical profile into {@code canonical}: its identities and entries move there and
   * it forwards everything from then on. Journaled before it starts ({@link MergeStarted}), so a
   * crash resumes it. With {@code whenStarted} the answer comes once that is journaled (the merge
   * then goes on by itself, retrying while the other side is busy); else when the merge is done.
   */
  public record MergeInto(String canonical, @JsonInclude(NON_EMPTY) Boolean whenStarted, ActorRef<LinkReply> replyTo) implements Command {
    public MergeInto(String canonical, ActorRef<LinkReply> replyTo) {
      this(canonical, null, replyTo);
    }

    /** Answered {@code IN_PROGRESS} once the merge is journaled as started (absent in version 1: when it ends). */
    boolean answerWhenStarted() {
      return Boolean.TRUE.equals(whenStarted);
    }
  }

  /**
   * A step between two profiles that hands over entries: the receiving side reads them from the
   * journal of {@code from} up to its sequence number {@code upTo} ({@code from} is frozen there
   * until the step ends), so the message stays small however long the history. A node of a build
   * before {@code upTo} carries them in {@code entries} instead ({@code upTo} null).
   */
  public sealed interface Handover extends Command {
    String from();

    List<String> keys();

    List<LedgerEntry> entries();

    List<String> blocked();

    Long upTo();

    ActorRef<LinkReply> replyTo();
  }

  /**
   * Between profiles: take the profile {@code from} with its identity {@code keys}, its entries (its
   * journal up to {@code upTo}) and the identity keys it {@code blocked} (its unmerge blocks hold for
   * the merged whole). {@code state}: what {@code from} folded its entries into, so a profile with
   * nothing of its own takes it as it is instead of reading and refolding them (absent before
   * version 4, and when there are no entries).
   */
  public record Absorb(String from, List<String> keys, List<LedgerEntry> entries, @JsonInclude(NON_EMPTY) List<String> blocked,
                       @JsonInclude(NON_EMPTY) Long upTo,
                       @JsonInclude(NON_EMPTY) FoldedState state,
                       ActorRef<LinkReply> replyTo) implements Handover {
    public Absorb {
      entries = entries == null ? List.of() : entries;
      blocked = blocked == null ? List.of() : List.copyOf(blocked); // absent in version 1: none
    }

    public Absorb(String from, List<String> keys, List<LedgerEntry> entries, List<String> blocked, Long upTo, ActorRef<LinkReply> replyTo) {
      this(from, keys, entries, blocked, upTo, null, replyTo);
    }
  }

  /**
   * A profile's folded state handed to another profile (a merge): journaled and sent as a snapshot
   * is, with its version, and read through the snapshot's migrations (serialization.EmbeddedProfileState).
   */
  public record FoldedState(ProfileState value) {}

  /** Splits off the profile (and the identities that came with it) that brought the identity {@code key}. */
  public record Unmerge(String key, ActorRef<LinkReply> replyTo) implements Command {}

  /**
   * Between profiles: this merged-away profile is canonical again with {@code keys}, the entries of
   * {@code from} sent under them (split from its journal up to {@code upTo}) and the blocks it
   * brought to {@code from} ({@code blocked}, as they stand now).
   */
  public record Restore(String from, List<String> keys, List<LedgerEntry> entries, @JsonInclude(NON_EMPTY) List<String> blocked,
                        @JsonInclude(NON_EMPTY) Long upTo, ActorRef<LinkReply> replyTo) implements Handover {
    public Restore {
      entries = entries == null ? List.of() : entries;
      blocked = blocked == null ? List.of() : List.copyOf(blocked); // absent in version 1: none
    }
  }

  /**
   * Records that this identity was named in a link with {@code userIds} (kept up to one more than
   * {@code maxUsers}); replies whether it is now shared (seen with more than {@code maxUsers}).
   * Answered by the identity's own profile even when it is merged into another.
   */
  public record SeenWith(List<String> userIds, int maxUsers, ActorRef<Boolean> replyTo) implements Command {}

  /**
   * Internal: what a link step read from the journal (see {@code begin}): the entries it folds or
   * splits, with where this profile's blocks came from ({@link BlockOrigins#byKey}).
   */
  public record LedgerLoaded(List<LedgerEntry> entries, @JsonInclude(NON_EMPTY) Map<String, List<String>> blockOrigins) implements Command {
    public LedgerLoaded {
      blockOrigins = new BlockOrigins(blockOrigins).byKey(); // absent in version 1: none
    }
  }

  /** Internal: the journal could not be read; {@code reason} says why. */
  public record LedgerFailed(String reason) implements Command {}

  /** Internal: the other profile of a merge or unmerge answered ({@code reply}), or did not in time ({@code reply} null). */
  public record OtherSideAnswered(LinkReply reply) implements Command {}

  /**
   * Internal: the canonical profile a direct merge went to ({@link MergedInto#direct}) answered its
   * absorb ({@code reply}), or did not in time, or is to be asked (null); {@code replyTo} the link's
   * asker while it waits, else null.
   */
  public record CanonicalAnswered(String canonical, LinkReply reply, ActorRef<LinkReply> replyTo) implements Command {}

  // ---- replies ----

  /**
   * @param canonical the canonical profile's key; @param keys its identity keys, its own first; @param exists it holds anything
   * @param blocked the identity keys an unmerge split from it, which identities carried by events may not link to it again
   */
  public record Resolution(String canonical, List<String> keys, boolean exists, @JsonInclude(NON_EMPTY) List<String> blocked)
      implements CborSerializable {
    public Resolution {
      blocked = blocked == null ? List.of() : List.copyOf(blocked); // absent from nodes before blocks: none
    }

    public Resolution(String canonical, List<String> keys, boolean exists) {
      this(canonical, keys, exists, List.of());
    }
  }

  /** The outcome of a link step; {@code canonical} the profile it ended in (for MOVED: where this one went). */
  public record LinkReply(Status status, String canonical, String field, String reason) implements CborSerializable {
    public enum Status { LINKED, MOVED, REFUSED, NOT_LINKED, BUSY, IN_PROGRESS }

    static LinkReply linked(String canonical) {
      return new LinkReply(Status.LINKED, canonical, null, null);
    }
  }

  public record Recorded(List<EventResult> results) implements CborSerializable {}

  /**
   * The reason of an {@code unconfirmed} result for an event that reached a profile its identity was
   * split off from while it was on its way (forwarded before the unmerge): sent again to the
   * identity's own profile, it is recorded there.
   */
  public static final String SPLIT_OFF = "its identity was split off from the profile it was sent to meanwhile: retry it (a retried event is deduplicated)";

  /**
   * The profile view, empty when the user is unknown; {@code refused} names the field and the cap
   * when a write was refused (nothing journaled).
   */
  public record ProfileReply(Optional<ProfileView> profile, FieldError refused) implements CborSerializable {
    public ProfileReply(Optional<ProfileView> profile) {
      this(profile, null);
    }
  }

  /**
   * The outcome of {@link Forget}: {@code found} false when nothing was stored for the user;
   * {@code error} set (and nothing removed) when the erasure failed.
   */
  public record ForgetReply(boolean found, int eventsErased, int snapshotsErased, String error) implements CborSerializable {}

  // ---- events ----

  public sealed interface Event extends CborSerializable {}

  /** An accepted behavior, journaled as it arrived. */
  public record EventRecorded(BehaviorEvent event) implements Event {}

  public record AttributesSet(Map<String, Object> attributes, Instant at) implements Event {}

  /** A newer next-behavior prediction. */
  public record PredictionUpdated(ProfilePrediction prediction) implements Event {}

  /**
   * Accepted without the user's analytics consent: only the id and time are journaled, for
   * exactly-once; nothing of the behavior is profiled.
   */
  public record EventAcknowledged(String eventId, Instant timestamp) implements Event {}

  /**
   * The tombstone of a forgotten user, the only row left of the profile after an erasure (written in
   * the erasure's transaction by {@link JournalEraser}): events stamped before {@code at} are refused.
   */
  public record Forgotten(Instant at) implements Event {}

  /** Consent choices changed. */
  public record ConsentSet(Map<Consent.Purpose, Boolean> changes, Instant at) implements Event {}

  /**
   * The user entered or left segments, journaled with the change that caused it (same write).
   *
   * @param members the whole membership afterwards, sorted
   */
  public record SegmentsChanged(List<String> entered, List<String> left, List<String> members, Instant at) implements Event {}

  /** This identity was named in a link with {@code userIds} (see {@link SeenWith}). */
  public record IdentitySeen(List<String> userIds, int maxUsers, Instant at) implements Event {}

  /** This profile started merging into {@code into}; until {@link MergedInto} or {@link LinkCancelled} it is pending. */
  public record MergeStarted(String into, Instant at) implements Event {}

  /**
   * This profile's identities and entries are now the canonical {@code into}'s: it forwards from here on.
   * {@code direct}: its only row, written by a profile with nothing journaled before it (an identity
   * seen first in its link): nothing to hand over, so no {@link MergeStarted}; it tells {@code into}
   * to take its key until that is done, again after a restart ({@code PendingLinks}, recovery).
   */
  public record MergedInto(String into, Instant at, @JsonInclude(NON_EMPTY) Boolean direct) implements Event {
    public MergedInto(String into, Instant at) {
      this(into, at, null);
    }
  }

  /** A merge or unmerge this profile started was refused by the other side ({@code reason}); nothing changed. */
  public record LinkCancelled(String other, String reason, Instant at) implements Event {}

  /**
   * The profile {@code from} merged into this one with its identity {@code keys}; {@code entries}
   * is everything this profile now folds from (both sides'), refolded in time order; {@code blocked}
   * the blocks it brought that now hold here (those on identities of the merged whole left out).
   * {@code kept}: {@code from} brought no entries, so this profile keeps its own as they are (not
   * journaled again, nothing refolded) and {@code entries} is empty. {@code state}: this profile had
   * nothing of its own, so it is {@code from}'s folded state as it was handed over; its entries are
   * {@code from}'s journal up to {@code upTo} (read there when needed, by an unmerge) and
   * {@code entries} is empty (both absent before version 4).
   */
  public record Absorbed(String from, List<String> keys, List<LedgerEntry> entries, @JsonInclude(NON_EMPTY) List<String> blocked, Instant at,
                         @JsonInclude(NON_EMPTY) Boolean kept, @JsonInclude(NON_EMPTY) Long upTo,
                         @JsonInclude(NON_EMPTY) FoldedState state) implements Event {
    public Absorbed {
      blocked = blocked == null ? List.of() : List.copyOf(blocked); // absent in version 1: none
      kept = Boolean.TRUE.equals(kept) ? Boolean.TRUE : null; // absent before version 3: refolded from entries
    }

    public Absorbed(String from, List<String> keys, List<LedgerEntry> entries, List<String> blocked, Instant at) {
      this(from, keys, entries, blocked, at, null);
    }

    public Absorbed(String from, List<String> keys, List<LedgerEntry> entries, List<String> blocked, Instant at, Boolean kept) {
      this(from, keys, entries, blocked, at, kept, null, null);
    }

    /** Whether this profile became {@code from}'s handed-over state (see {@code state}). */
    public boolean tookState() {
      return state != null;
    }

    /** Whether this profile's entries stay as they were (see {@code kept}). */
    public boolean keepsEntries() {
      return kept != null;
    }
  }

  /** This profile started splitting off the group {@code group}; pending until {@link SplitOff} or {@link LinkCancelled}. */
  public record SplitStarted(String group, Instant at) implements Event {}

  /**
   * The group {@code group} with its {@code keys} left; {@code kept} is what this profile folds from
   * now; {@code released} the blocks it had brought and took back that no other profile here holds.
   */
  public record SplitOff(String group, List<String> keys, List<LedgerEntry> kept, @JsonInclude(NON_EMPTY) List<String> released, Instant at)
      implements Event {
    public SplitOff {
      released = released == null ? List.of() : List.copyOf(released); // absent in version 1: none
    }
  }

  /** This profile is canonical again (split off {@code from}) with its identity {@code keys}, {@code entries} and the blocks it took back. */
  public record Restored(String from, List<String> keys, List<LedgerEntry> entries, @JsonInclude(NON_EMPTY) List<String> blocked, Instant at)
      implements Event {
    public Restored {
      blocked = blocked == null ? List.of() : List.copyOf(blocked); // absent in version 1: none
    }
  }

  /**
   * An unmerge split the identity {@code keys} from this profile (journaled with {@link SplitOff} on
   * the side that split, with {@link Restored} on the side restored): identities carried by events
   * may not link them to it again; an explicit identify may ({@link Absorbed} lifts the block).
   */
  public record LinkBlocked(List<String> keys, Instant at) implements Event {}

  // ---- behavior ----

  private final ActorContext<Command> context;
  private final String userId;
  private final Env env;
  // The prediction requests under way, null when none is: made for a request and dropped once it is
  // answered (they hold nothing then), so an idle profile carries none.
  private PredictionRequests predictions;
  // The per-entity helpers of forgets and identity links are made when first needed (null before,
  // see erasure() and links()): most profiles never forget or link, and every live one would carry them.
  private Erasure erasure;
  // Highest sequence number whose snapshot (if one was due) is known to be written or failed: an
  // erasure must not race a snapshot write that would land after it.
  private long settledSnapshotSeq;
  // A write waiting for its prediction (null: none); every other command waits in the stash meanwhile.
  private WaitingWrite waiting;
  private ProfileLinks links;
  // A Stop came while something was still on its way to the entity (onStop): asked again after the next command.
  private boolean stopDeferred;

  /** Events accepted and their reply, held until their prediction comes (or the wait ends). */
  private record WaitingWrite(List<Event> accepted, ActorRef<Recorded> replyTo, Recorded reply, String lastId, long writeStart) {}

  // A failed write restarts the entity with back-off instead of stopping it (one instance for all entities).
  private static final akka.actor.typed.BackoffSupervisorStrategy RESTART_ON_FAILURE =
      akka.actor.typed.SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2);

  private UserProfile(ActorContext<Command> context, String userId, Env env, ActorRef<ClusterSharding.ShardCommand> shard) {
    super(persistenceIdOf(userId), RESTART_ON_FAILURE);
    this.context = context;
    this.userId = userId;
    this.env = env;
    this.shard = shard;
    EngineMetrics.activeEntities.inc();
  }

  private final ActorRef<ClusterSharding.ShardCommand> shard;

  private PredictionRequests predictions() {
    if (predictions == null) predictions = new PredictionRequests(context, userId, env);
    return predictions;
  }

  /** Drops the prediction requests once nothing is in flight, coalesced or waited for. */
  private void releaseIdlePredictions() {
    if (predictions != null && predictions.idle()) predictions = null;
  }

  /** Asks for a prediction as of {@code eventId} (see {@link PredictionRequests#request}), outside a command too. */
  private void requestPrediction(ProfileState state, String eventId) {
    predictions().request(state, eventId);
    releaseIdlePredictions();
  }

  /** The erasure protocol, made on the first message about a forget. */
  private Erasure erasure() {
    if (erasure == null)
      erasure = new Erasure(context, userId, persistenceId().id(), env.clock(), env.settings().snapshotEvery(), env.hosted(), env.forgetter(), shard);
    return erasure;
  }

  /** Whether the profile's rows are being erased (or are gone and the entity is on its way out). */
  private boolean erasing() {
    return erasure != null && erasure.inProgress();
  }

  /** The identity-link steps, made on the first link command (or a step to finish after recovery). */
  private ProfileLinks links() {
    if (links == null) links = new ProfileLinks(context, userId, env.settings(), env.clock(), new ProfileLinks.Writes() {
      @Override
      public akka.persistence.typed.javadsl.EffectFactories<Event, ProfileState> effect() {
        return Effect();
      }

      @Override
      public EffectBuilder<Event, ProfileState> persist(List<Event> events) {
        return UserProfile.this.persist(events);
      }

      @Override
      public List<Event> withSegmentChanges(ProfileState state, List<? extends Event> events) {
        return UserProfile.this.withSegmentChanges(state, events);
      }

      @Override
      public long lastSequenceNumber() {
        return UserProfile.this.lastSequenceNumber(context);
      }

      @Override
      public void requestPrediction(ProfileState state, String eventId) {
        UserProfile.this.requestPrediction(state, eventId);
      }

      @Override
      public void passivate() {
        if (shard != null) shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
      }
    });
    return links;
  }

  @Override
  public ProfileState emptyState() {
    return ProfileState.NO_USER; // shared; the first event gives it this user (applyEvent)
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(env.settings().snapshotEvery(), env.settings().snapshotsKept());
  }

  // No tags: every event feeds the change stream, segment changes the segment read side too, and
  // both are read from the journal rows by changes.DerivedTagReadJournalDao.

  // ---- command handlers, grouped by state ----

  /**
   * One handler that dispatches by state, then by command: the builder's per-case objects (cases,
   * lambdas, partial functions) are allocated per entity and cost about 2 KB of every live profile
   * (even its one any-state case keeps a case array, predicates and the handler), this costs one lambda.
   */
  @Override
  public CommandHandlerWithReply<Command, Event, ProfileState> commandHandler() {
    return this::onCommand;
  }

  private ReplyEffect<Event, ProfileState> onCommand(ProfileState state, Command command) {
    if (command instanceof Stop) return onStop(state);
    ReplyEffect<Event, ProfileState> effect = dispatch(state, command);
    releaseIdlePredictions();
    if (stopDeferred) {
      // Asked again after what this command started (a write, a step's next message) has run.
      stopDeferred = false;
      context.getSelf().tell(STOP);
    }
    return effect;
  }

  /**
   * Stops now unless a write waits for its prediction, a link step or erasure is under way, or a
   * prediction this profile would keep is in flight (the pool answers or fails every request).
   */
  private ReplyEffect<Event, ProfileState> onStop(ProfileState state) {
    boolean predicting = predictions != null && predictions.inFlight() && !erasing() && !state.links().forwards();
    boolean linkBusy = links != null && links.busy();
    if (waiting == null && !linkBusy && !(erasure != null && erasure.busy()) && !predicting) return Effect().stop().thenNoReply();
    stopDeferred = true;
    return Effect().noReply();
  }

  private ReplyEffect<Event, ProfileState> dispatch(ProfileState state, Command command) {
    if (waiting != null) return command instanceof WritePredicted p ? onWritePredicted(state, p) : Effect().stash();
    if (links != null && links.inProgress()) return links.whileLinking(state, command);
    if (command instanceof SeenWith c) return links().onSeenWith(state, c);
    if (command instanceof ForgetHere f) command = new Forget(f.replyTo());
    else if (state.links().forwards() && !erasing()) {
      ReplyEffect<Event, ProfileState> forwarded = links().whileMerged(state, command);
      if (forwarded != null) return forwarded;
    }
    ReplyEffect<Event, ProfileState> handled = erasing() ? whileErasing(command) : !state.exists() ? whileAbsent(state, command) : null;
    return handled != null ? handled : inAnyState(state, command);
  }

  /** While the rows are being erased: writes retry later, reads see no profile, Forget waits. Null: as in any state. */
  private ReplyEffect<Event, ProfileState> whileErasing(Command command) {
    if (command instanceof RecordEvents c) return Effect().reply(c.replyTo(), Erasure.retryLater(c.events()));
    if (command instanceof GetProfile c) return Effect().reply(c.replyTo(), new ProfileReply(Optional.empty()));
    if (command instanceof SetAttributes c) return Effect().reply(c.replyTo(), new ProfileReply(Optional.empty()));
    if (command instanceof SetConsent c) return Effect().reply(c.replyTo(), new ProfileReply(Optional.empty()));
    if (command instanceof Forget c) {
      if (erasure.finished()) return Effect().reply(c.replyTo(), new ForgetReply(true, 0, 0, null));
      erasure.await(c.replyTo());
      return Effect().noReply();
    }
    if (command instanceof PredictionReady || command instanceof PredictionFailed) return Effect().noReply();
    // Nothing may be journaled between the erasure and the tombstone.
    if (command instanceof ReevaluateSegments c) return Effect().reply(c.replyTo(), false);
    return null;
  }

  /**
   * No event, attribute or consent choice to show: nothing to read. Something may still be stored
   * (an attribute set then removed, acknowledged events): that is forgotten. Null: as in any state.
   */
  private ReplyEffect<Event, ProfileState> whileAbsent(ProfileState state, Command command) {
    if (command instanceof GetProfile c) return Effect().reply(c.replyTo(), new ProfileReply(Optional.empty()));
    if (command instanceof Forget c && !Erasure.storesAnything(state, lastSequenceNumber(context)))
      return Effect().reply(c.replyTo(), new ForgetReply(false, 0, 0, null));
    return null;
  }

  private ReplyEffect<Event, ProfileState> inAnyState(ProfileState state, Command command) {
    if (command instanceof RecordEvents c) return onRecordEvents(state, c);
    if (command instanceof GetProfile c) return Effect().reply(c.replyTo(), new ProfileReply(Optional.of(state.view(c.asOf(), env.settings().profile()))));
    if (command instanceof SetAttributes c) return onSetAttributes(state, c);
    if (command instanceof SetConsent c) return onSetConsent(state, c);
    if (command instanceof ReevaluateSegments c) return onReevaluateSegments(state, c);
    if (command instanceof Forget c) return onForget(c);
    if (command instanceof ForgetDone c) {
      return erasure().erased(c.erased()) ? Effect().stop().thenNoReply() : Effect().noReply();
    }
    if (command instanceof ForgetFailed c) {
      erasure().failed(state, c.reason());
      return Effect().noReply();
    }
    if (command instanceof SnapshotSettled) {
      if (erasure != null) erasure.resumeAfterSnapshot(lastSequenceNumber(context), settledSnapshotSeq); // none: no Forget waits
      return Effect().noReply();
    }
    if (command instanceof PredictionReady c) return onPredictionReady(state, c);
    if (command instanceof PredictionFailed c) {
      predictions().failed(c.reason());
      return Effect().noReply();
    }
    if (command instanceof Resolve c) return Effect().reply(c.replyTo(), new Resolution(userId, state.links().keys(userId), state.exists(), state.links().blocked()));
    if (command instanceof MergeInto c) return links().onMergeInto(c);
    if (command instanceof Absorb c) return links().onAbsorb(state, c);
    if (command instanceof Unmerge c) return links().onUnmerge(state, c);
    // Canonical already: a repeated restore (its answer was lost) is done.
    if (command instanceof Restore c) return Effect().reply(c.replyTo(), LinkReply.linked(userId));
    if (command instanceof LedgerLoaded || command instanceof LedgerFailed || command instanceof OtherSideAnswered
        || command instanceof CanonicalAnswered) return Effect().noReply();
    throw new IllegalStateException("unhandled command " + command.getClass().getName());
  }


  private ReplyEffect<Event, ProfileState> onRecordEvents(ProfileState state, RecordEvents cmd) {
    Instant now = env.clock().instant();
    EventValidation validation = env.settings().validation();
    BatchAdmission admission = new BatchAdmission(state, env.settings().profile());
    List<EventResult> results = new ArrayList<>(cmd.events().size());
    List<Event> accepted = new ArrayList<>(cmd.events().size());
    // Without analytics consent an event is acknowledged (exactly-once) but not profiled.
    boolean profiled = state.allows(Consent.Purpose.ANALYTICS, env.settings().profile());
    for (BehaviorEvent e : cmd.events()) {
      List<FieldError> errors = validation.validate(e, now);
      if (errors.isEmpty() && !state.links().owns(userId, e.userId())) {
        // Forwarded here before an unmerge split its identity off (it waited for the split): it is
        // that identity's own profile's now, which the sender is told to ask instead.
        if (state.links().blocked().contains(e.userId())) {
          results.add(new EventResult(e.eventId(), EventResult.UNCONFIRMED, SPLIT_OFF, null, null));
          continue;
        }
        errors = List.of(new FieldError("userId", "does not belong to profile " + userId));
      }
      if (!errors.isEmpty()) {
        results.add(EventResult.invalid(e.eventId(), errors));
        continue;
      }
      Admission a = admission.admit(e);
      if (!(a instanceof Admission.Accept)) results.add(EventResult.of(e.eventId(), a));
      else if (profiled) {
        results.add(EventResult.of(e.eventId(), a));
        accepted.add(new EventRecorded(env.settings().pii().apply(e)));
      } else {
        results.add(new EventResult(e.eventId(), EventResult.ACCEPTED, null, null, EventResult.NOT_PROFILED));
        accepted.add(new EventAcknowledged(e.eventId(), e.timestamp()));
      }
    }
    Recorded reply = new Recorded(List.copyOf(results));
    if (accepted.isEmpty()) return Effect().reply(cmd.replyTo(), reply);
    long writeStart = System.nanoTime();
    if (!profiled) {
      return persist(withSegmentChanges(state, accepted))
          .thenRun(s -> EngineMetrics.journalWriteSeconds.observe((System.nanoTime() - writeStart) / 1e9))
          .thenReply(cmd.replyTo(), s -> reply);
    }
    PredictionRequests.scoreLast(env, state, ((EventRecorded) accepted.get(0)).event());
    String lastId = ((EventRecorded) accepted.get(accepted.size() - 1)).event().eventId();
    if (predictions().writeMayWait() && predictions().requestBeforeWrite(fold(state, accepted), lastId)) {
      waiting = new WaitingWrite(accepted, cmd.replyTo(), reply, lastId, writeStart);
      return Effect().noReply();
    }
    return persistRecorded(state, accepted, writeStart)
        .thenRun(s -> requestPrediction(s, lastId))
        .thenReply(cmd.replyTo(), s -> reply);
  }

  /** The waiting write goes ahead, with the prediction its events lead to when it came in time. */
  private ReplyEffect<Event, ProfileState> onWritePredicted(ProfileState state, WritePredicted cmd) {
    WaitingWrite w = waiting;
    waiting = null;
    predictions().writePredicted(cmd.prediction());
    List<Event> events = new ArrayList<>(w.accepted());
    cmd.prediction().filter(p -> PredictionRequests.keeps(env, fold(state, w.accepted()), p)).ifPresent(p -> events.add(new PredictionUpdated(p)));
    return persistRecorded(state, events, w.writeStart())
        .thenReply(w.replyTo(), s -> w.reply())
        .thenUnstashAll();
  }

  /** Persists recorded events (with their segment change), timing the write and advancing the event-time watermark. */
  private EffectBuilder<Event, ProfileState> persistRecorded(ProfileState state, List<Event> events, long writeStart) {
    return persist(withSegmentChanges(state, events))
        .thenRun(s -> EngineMetrics.journalWriteSeconds.observe((System.nanoTime() - writeStart) / 1e9))
        .thenRun(s -> env.watermark().advance(s.lastEventMillis()));
  }

  private ProfileState fold(ProfileState state, List<? extends Event> events) {
    if (folded == null) folded = new FoldMemo<>();
    else folded.clear();
    ProfileState next = state;
    for (Event e : events) {
      ProfileState from = next;
      next = foldEvent(from, e);
      folded.record(from, e, next);
    }
    return next;
  }

  // What the command side folded, so the event handler does not fold a write's events twice; null
  // once taken (an idle profile holds no memo).
  private FoldMemo<ProfileState, Event> folded;

  /**
   * Persists {@code events}; once the journal confirms them, the new state is readable on this node
   * without a message to the entity ({@link HostedProfiles}), before any reply.
   */
  private EffectBuilder<Event, ProfileState> persist(List<Event> events) {
    return Effect().persist(events).thenRun(s -> env.hosted().publish(userId, s));
  }

  private ReplyEffect<Event, ProfileState> onPredictionReady(ProfileState state, PredictionReady cmd) {
    String next = predictions().answered();
    if (!PredictionRequests.keeps(env, state, cmd.prediction())) {
      if (next != null) predictions().request(state, next);
      return Effect().noReply();
    }
    return persist(withSegmentChanges(state, List.of(new PredictionUpdated(cmd.prediction()))))
        .thenRun(s -> {
          if (next != null) requestPrediction(s, next);
        })
        .thenNoReply();
  }

  private ReplyEffect<Event, ProfileState> onSetAttributes(ProfileState state, SetAttributes cmd) {
    // Re-checked here: the gateway checks the request alone and may be bypassed.
    FieldError over = env.settings().attributeLimits().check(state.attributes(), cmd.attributes());
    if (over != null) return Effect().reply(cmd.replyTo(), new ProfileReply(Optional.empty(), over));
    Map<String, Object> changes = AttributeChanges.effective(state.attributes(), cmd.attributes());
    // an empty or no-op write stores nothing: no journal row, no change notified; the answer names the user even so
    if (changes.isEmpty()) {
      ProfileState shown = state.exists() ? state : ProfileState.empty(userId);
      return Effect().reply(cmd.replyTo(), new ProfileReply(Optional.of(shown.view(null, env.settings().profile()))));
    }
    return persist(withSegmentChanges(state, List.of(new AttributesSet(changes, env.clock().instant()))))
        .thenReply(cmd.replyTo(), s -> new ProfileReply(Optional.of(s.view(null, env.settings().profile()))));
  }

  private ReplyEffect<Event, ProfileState> onSetConsent(ProfileState state, SetConsent cmd) {
    return persist(withSegmentChanges(state, List.of(new ConsentSet(cmd.changes(), env.clock().instant()))))
        .thenReply(cmd.replyTo(), s -> new ProfileReply(Optional.of(s.view(null, env.settings().profile()))));
  }

  private ReplyEffect<Event, ProfileState> onReevaluateSegments(ProfileState state, ReevaluateSegments cmd) {
    List<Event> changes = withSegmentChanges(state, List.of(), cmd.asOf());
    if (changes.isEmpty()) return Effect().reply(cmd.replyTo(), false);
    return persist(changes).thenReply(cmd.replyTo(), s -> true);
  }

  private ReplyEffect<Event, ProfileState> onForget(Forget cmd) {
    if (env.forgetter() == null) return Effect().reply(cmd.replyTo(), new ForgetReply(true, 0, 0, "this entity cannot forget"));
    erasure().request(cmd.replyTo(), lastSequenceNumber(context), settledSnapshotSeq); // waits for a due snapshot first
    return Effect().noReply();
  }

  /**
   * {@code events} plus, when they change the user's segment membership, the {@link SegmentsChanged}
   * that records it: the membership is evaluated on the state these events lead to, so the change
   * is journaled atomically with its cause.
   */
  private List<Event> withSegmentChanges(ProfileState state, List<? extends Event> events) {
    return withSegmentChanges(state, events, null);
  }

  /** As {@link #withSegmentChanges(ProfileState, List)}, with the membership evaluated as of {@code asOf}. */
  private List<Event> withSegmentChanges(ProfileState state, List<? extends Event> events, Instant asOf) {
    ProfileState next = fold(state, events);
    SegmentChange change = SegmentChange.of(next, env.settings().segments(), env.settings().profile(), asOf);
    List<Event> all = new ArrayList<>(events);
    if (change != null) all.add(new SegmentsChanged(change.entered(), change.left(), change.members(), env.clock().instant()));
    return all;
  }

  // ---- signals ----

  @Override
  public SignalHandler<ProfileState> signalHandler() {
    // One partial function instead of the builder's per-signal objects (about 500 bytes per live
    // entity). Defined only for these signals: others stay Akka's to handle.
    return new SignalHandler<>(new scala.runtime.AbstractPartialFunction<scala.Tuple2<ProfileState, akka.actor.typed.Signal>, scala.runtime.BoxedUnit>() {
      @Override
      public boolean isDefinedAt(scala.Tuple2<ProfileState, akka.actor.typed.Signal> x) {
        return HANDLED_SIGNALS.stream().anyMatch(c -> c.isInstance(x._2()));
      }

      @Override
      public scala.runtime.BoxedUnit apply(scala.Tuple2<ProfileState, akka.actor.typed.Signal> x) {
        onSignal(x._1(), x._2());
        return scala.runtime.BoxedUnit.UNIT;
      }
    });
  }

  private static final List<Class<?>> HANDLED_SIGNALS = List.of(RecoveryCompleted.class, SnapshotCompleted.class,
      SnapshotFailed.class, akka.actor.typed.PostStop.class, akka.actor.typed.PreRestart.class);

  private void onSignal(ProfileState state, akka.actor.typed.Signal signal) {
    if (signal instanceof RecoveryCompleted) {
      // An id that only places its shard (node.ShardPlacement) has done its work by starting.
      if (ProfileShards.isPlacementId(userId) && shard != null) shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
      settledSnapshotSeq = lastSequenceNumber(context); // the snapshots so far are settled
      env.hosted().publish(userId, state);
      // Only a profile with a link step to finish or a direct merge to confirm has anything to do.
      if (state.links().pending() != null || state.links().forwards()) links().recovered(state);
    } else if (signal instanceof SnapshotCompleted sig) snapshotSettled(sig.metadata().sequenceNr());
    else if (signal instanceof SnapshotFailed sig) {
      context.getLog().warn("Snapshot {} of {} failed: {}", sig.metadata().sequenceNr(), userId, sig.getFailure().toString());
      snapshotSettled(sig.metadata().sequenceNr());
    } else if (signal instanceof akka.actor.typed.PostStop || signal instanceof akka.actor.typed.PreRestart) {
      // The shard still waits for a deferred stop: the next incarnation (same mailbox) takes it.
      if (stopDeferred && signal instanceof akka.actor.typed.PreRestart) context.getSelf().tell(STOP);
      env.hosted().withdraw(userId);
      EngineMetrics.activeEntities.dec();
    }
  }

  /** The snapshot at {@code seq} was written or failed; a waiting Forget is resumed by a message to self. */
  private void snapshotSettled(long seq) {
    settledSnapshotSeq = Math.max(settledSnapshotSeq, seq);
    context.getSelf().tell(new SnapshotSettled());
  }

  // ---- events ----

  /** Every event through one function, without the builder's per-entity cases (see {@link #commandHandler}). */
  @Override
  public EventHandler<ProfileState, Event> eventHandler() {
    return this::applyEvent;
  }

  /** One journaled event applied: as the command that wrote it folded it, else folded here (recovery). */
  private ProfileState applyEvent(ProfileState state, Event event) {
    if (folded == null) return foldEvent(state, event);
    ProfileState known = folded.take(state, event);
    if (folded.isEmpty()) folded = null;
    return known != null ? known : foldEvent(state, event);
  }

  /** The pure fold of one journaled event. */
  private ProfileState foldEvent(ProfileState state, Event event) {
    if (event instanceof Forgotten f) return ProfileState.forgotten(userId, f.at().toEpochMilli());
    ProfileState s = state.forUser(userId).changed();
    // Java 17: type patterns in switch are a preview feature, so instanceof it is.
    if (event instanceof EventRecorded e) return s.apply(e.event(), env.settings().profile());
    if (event instanceof EventAcknowledged e) return s.acknowledged(e.eventId(), e.timestamp().toEpochMilli(), env.settings().profile());
    if (event instanceof AttributesSet e) return s.withAttributes(e.attributes());
    if (event instanceof PredictionUpdated e) return s.withPrediction(e.prediction());
    if (event instanceof ConsentSet e) return s.withConsent(e.changes(), e.at(), env.settings().profile().consentDefaults());
    if (event instanceof SegmentsChanged e) return s.withSegments(e.members());
    return applyLink(s, event);
  }

  /** The fold of the identity graph's events: a merge or unmerge refolds the profile from the entries it journals. */
  private ProfileState applyLink(ProfileState s, Event event) {
    IdentityLinks links = s.links();
    if (event instanceof MergeStarted e) return s.withLinks(links.withPending(new IdentityLinks.Pending(IdentityLinks.Pending.Kind.MERGE, e.into())));
    if (event instanceof SplitStarted e) return s.withLinks(links.withPending(new IdentityLinks.Pending(IdentityLinks.Pending.Kind.SPLIT, e.group())));
    if (event instanceof LinkCancelled) return s.withLinks(links.withPending(null));
    if (event instanceof IdentitySeen e) return s.withLinks(links.seen(e.userIds(), e.maxUsers()));
    if (event instanceof LinkBlocked e) return s.withLinks(links.blocking(e.keys()));
    if (event instanceof MergedInto e) return s.restarted(s.forgottenMillis(), links.withMergedInto(e.into()));
    // An absorb of blocked identities comes from an explicit identify (events' links are checked
    // against blocks first): linking them deliberately lifts the block.
    // Its own blocks come with it (Absorbed.blocked) and hold for the whole.
    if (event instanceof Absorbed e) {
      ProfileState linked = s.withLinks(links.linked(e.keys(), e.from()).unblocked(e.keys()).blocking(e.blocked()).withPending(null));
      if (e.tookState()) return linked.grafted(e.state().value());
      return e.keepsEntries() ? linked : Ledger.fold(linked, e.entries(), env.settings().profile());
    }
    if (event instanceof SplitOff e)
      return Ledger.fold(s.withLinks(links.unlinked(e.keys()).unblocked(e.released()).withPending(null)), e.kept(), env.settings().profile());
    if (event instanceof Restored e) {
      IdentityLinks own = new IdentityLinks(java.util.Map.of(), null, null, links.seenWith(), e.blocked());
      // Each identity that came back is its own group again, so it can be split off on its own.
      for (String k : e.keys()) if (!k.equals(userId)) own = own.linked(List.of(k), k);
      return Ledger.fold(s.withLinks(own), e.entries(), env.settings().profile());
    }
    throw new IllegalStateException("unknown event " + event.getClass());
  }
}
