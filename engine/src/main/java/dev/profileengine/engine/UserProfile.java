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
import dev.profileengine.profile.Identity;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

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
    ProfileForgetter forgetter = new ProfileForgetter(system, settings.askTimeout());
    int shards = settings.numberOfShards();
    ClusterSharding.get(system).init(
        Entity.of(ENTITY_KEY, ctx -> create(ctx.getEntityId(), settings, Clock.systemUTC(), models, forgetter, ctx.getShard()))
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
    return Behaviors.setup(ctx -> new UserProfile(ctx, userId, settings, clock, models, forgetter, shard));
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
  private final EngineSettings settings;
  private final Clock clock;
  private final EventTimeWatermark watermark;
  private final HostedProfiles hosted;
  private final PredictionRequests predictions;
  private final Erasure erasure;
  // A write waiting for its prediction (null: none); every other command waits in the stash meanwhile.
  private WaitingWrite waiting;
  // A merge, unmerge or absorb step in progress (null: none); other commands wait in the stash meanwhile.
  private Linking linking;

  private enum Step { TRANSFER, ABSORB, SPLIT, RESTORE }

  /**
   * A link step in progress with the other profile {@code other}: TRANSFER (this one merging into
   * it), ABSORB (taking {@code handover}), SPLIT (splitting off its group), RESTORE (canonical again
   * by {@code handover}). {@code keys}, {@code blocked} and {@code upTo} (this profile's journal
   * position the other side reads up to) are what is sent to the other side, {@code kept} what a
   * split leaves here and {@code released} the blocks it lifts here.
   */
  private record Linking(Step step, String other, ActorRef<LinkReply> replyTo, Handover handover, List<String> keys,
                         long upTo, List<LedgerEntry> kept, List<String> blocked, List<String> released) {
    Linking(Step step, String other, ActorRef<LinkReply> replyTo, Handover handover) {
      this(step, other, replyTo, handover, null, 0L, null, List.of(), List.of());
    }

    Linking answered() {
      return new Linking(step, other, null, handover, keys, upTo, kept, blocked, released);
    }

    Linking sending(List<String> k, long at, List<LedgerEntry> rest, List<String> b, List<String> r) {
      return new Linking(step, other, replyTo, handover, k, at, rest, b, r);
    }
  }

  /** Events accepted and their reply, held until their prediction comes (or the wait ends). */
  private record WaitingWrite(List<Event> accepted, ActorRef<Recorded> replyTo, Recorded reply, String lastId, long writeStart) {}

  // A merge the other side is too busy for asks again after this long.
  private static final Duration BUSY_RETRY = Duration.ofMillis(100);

  // A failed write restarts the entity with back-off instead of stopping it (one instance for all entities).
  private static final akka.actor.typed.BackoffSupervisorStrategy RESTART_ON_FAILURE =
      akka.actor.typed.SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2);

  private UserProfile(ActorContext<Command> context, String userId, EngineSettings settings, Clock clock, ModelService models,
                      ProfileForgetter forgetter, ActorRef<ClusterSharding.ShardCommand> shard) {
    super(persistenceIdOf(userId), RESTART_ON_FAILURE);
    this.context = context;
    this.userId = userId;
    this.settings = settings;
    this.clock = clock;
    this.watermark = EventTimeWatermark.get(context.getSystem());
    this.hosted = HostedProfiles.get(context.getSystem());
    this.predictions = new PredictionRequests(context, userId, settings.profile(), models, settings.predictionWait());
    this.erasure = new Erasure(context, userId, persistenceId().id(), clock, settings.snapshotEvery(), hosted, forgetter, shard);
    this.shard = shard;
    EngineMetrics.activeEntities.inc();
  }

  private final ActorRef<ClusterSharding.ShardCommand> shard;

  @Override
  public ProfileState emptyState() {
    return ProfileState.NO_USER; // shared; the first event gives it this user (applyEvent)
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), settings.snapshotsKept());
  }

  // No tags: every event feeds the change stream, segment changes the segment read side too, and
  // both are read from the journal rows by changes.DerivedTagReadJournalDao.

  // ---- command handlers, grouped by state ----

  /**
   * One handler case that dispatches by state, then by command: the builder's per-case objects
   * (cases, lambdas, partial functions) are allocated per entity and cost about 2 KB of every live
   * profile, this costs one lambda.
   */
  @Override
  public CommandHandlerWithReply<Command, Event, ProfileState> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState().onAnyCommand(this::onCommand);
  }

  private ReplyEffect<Event, ProfileState> onCommand(ProfileState state, Command command) {
    if (waiting != null) return command instanceof WritePredicted p ? onWritePredicted(state, p) : Effect().stash();
    if (linking != null) return whileLinking(state, command);
    if (command instanceof SeenWith c) return onSeenWith(state, c);
    if (command instanceof ForgetHere f) command = new Forget(f.replyTo());
    else if (state.links().forwards() && !erasure.inProgress()) return whileMerged(state, command);
    ReplyEffect<Event, ProfileState> handled = erasure.inProgress() ? whileErasing(command) : !state.exists() ? whileAbsent(state, command) : null;
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
    if (command instanceof GetProfile c) return Effect().reply(c.replyTo(), new ProfileReply(Optional.of(state.view(c.asOf(), settings.profile()))));
    if (command instanceof SetAttributes c) return onSetAttributes(state, c);
    if (command instanceof SetConsent c) return onSetConsent(state, c);
    if (command instanceof ReevaluateSegments c) return onReevaluateSegments(state, c);
    if (command instanceof Forget c) return onForget(c);
    if (command instanceof ForgetDone c) {
      return erasure.erased(c.erased()) ? Effect().stop().thenNoReply() : Effect().noReply();
    }
    if (command instanceof ForgetFailed c) {
      erasure.failed(state, c.reason());
      return Effect().noReply();
    }
    if (command instanceof SnapshotSettled) {
      erasure.resumeAfterSnapshot(lastSequenceNumber(context));
      return Effect().noReply();
    }
    if (command instanceof PredictionReady c) return onPredictionReady(state, c);
    if (command instanceof PredictionFailed c) {
      predictions.failed(c.reason());
      return Effect().noReply();
    }
    if (command instanceof Resolve c) return Effect().reply(c.replyTo(), new Resolution(userId, keys(state), state.exists(), state.links().blocked()));
    if (command instanceof MergeInto c) return onMergeInto(c);
    if (command instanceof Absorb c) return onAbsorb(state, c);
    if (command instanceof Unmerge c) return onUnmerge(state, c);
    // Canonical already: a repeated restore (its answer was lost) is done.
    if (command instanceof Restore c) return Effect().reply(c.replyTo(), LinkReply.linked(userId));
    if (command instanceof LedgerLoaded || command instanceof LedgerFailed || command instanceof OtherSideAnswered
        || command instanceof CanonicalAnswered) return Effect().noReply();
    throw new IllegalStateException("unhandled command " + command.getClass().getName());
  }

  // ---- identity: merge, absorb, unmerge, restore ----

  /** The profile's identity keys, its own first. */
  private List<String> keys(ProfileState state) {
    return state.links().keys(userId);
  }

  /** Merged into another profile: everything goes there, except what only this profile can answer. */
  private ReplyEffect<Event, ProfileState> whileMerged(ProfileState state, Command command) {
    String canonical = state.links().mergedInto();
    if (command instanceof MergeInto c) return Effect().reply(c.replyTo(), new LinkReply(LinkReply.Status.MOVED, canonical, null, null));
    if (command instanceof CanonicalAnswered c) return onCanonicalAnswered(state, c);
    if (command instanceof Restore c) return onRestore(state, c);
    if (command instanceof ReevaluateSegments c) return Effect().reply(c.replyTo(), false);
    if (command instanceof PredictionReady || command instanceof PredictionFailed || command instanceof LedgerLoaded
        || command instanceof LedgerFailed || command instanceof OtherSideAnswered || command instanceof SnapshotSettled) return Effect().noReply();
    if (command instanceof ForgetDone || command instanceof ForgetFailed) return inAnyState(state, command);
    // Events sent under this profile's key are accepted there (it owns the key now); reads,
    // writes, forgets and further links are the canonical profile's.
    ClusterSharding.get(context.getSystem()).entityRefFor(ENTITY_KEY, canonical).tell(command);
    return Effect().noReply();
  }

  /** A link step is in progress: its own messages go on, a competing absorb is told to come back, the rest (a repeat of it too) waits. */
  private ReplyEffect<Event, ProfileState> whileLinking(ProfileState state, Command command) {
    if (command instanceof LedgerLoaded c) return onLedgerLoaded(state, c);
    if (command instanceof LedgerFailed c) return onLedgerFailed(c);
    if (command instanceof OtherSideAnswered c) return onOtherSideAnswered(state, c);
    if (command instanceof Absorb c) {
      if (state.links().absorbed(c.from())) return Effect().reply(c.replyTo(), LinkReply.linked(userId));
      // A repeat of the absorb in progress (the sender's ask timed out while the journal was read)
      // waits for it: told busy, the sender would cancel a merge that is about to be journaled here.
      if (linking.step() == Step.ABSORB && linking.other().equals(c.from())) return Effect().stash();
      return Effect().reply(c.replyTo(), new LinkReply(LinkReply.Status.BUSY, userId, "userId", "the profile is being merged or split: retry"));
    }
    return Effect().stash();
  }

  private ReplyEffect<Event, ProfileState> onSeenWith(ProfileState state, SeenWith cmd) {
    List<String> unseen = state.links().unseen(cmd.userIds(), cmd.maxUsers());
    if (unseen.isEmpty()) return Effect().reply(cmd.replyTo(), state.links().shared(cmd.maxUsers()));
    return Effect().persist(new IdentitySeen(unseen, cmd.maxUsers(), clock.instant()))
        .thenReply(cmd.replyTo(), s -> s.links().shared(cmd.maxUsers()));
  }

  private ReplyEffect<Event, ProfileState> onMergeInto(MergeInto cmd) {
    if (cmd.canonical().equals(userId)) return Effect().reply(cmd.replyTo(), LinkReply.linked(userId));
    if (mergesDirectly()) {
      // An event's links need only this row (it forwards from here on, and brings nothing the
      // canonical profile must fold first); an identify is answered once that profile took the key.
      ActorRef<LinkReply> waiting = cmd.answerWhenStarted() ? null : cmd.replyTo();
      EffectBuilder<Event, ProfileState> effect = persist(List.of(new MergedInto(cmd.canonical(), clock.instant(), true)))
          .thenRun(s -> context.getSelf().tell(new CanonicalAnswered(cmd.canonical(), null, waiting)));
      return waiting == null ? effect.thenReply(cmd.replyTo(), s -> LinkReply.linked(cmd.canonical())) : effect.thenNoReply();
    }
    // Every earlier write is committed (commands wait while one is written), so the entries are read
    // while MergeStarted is written; their answer is handled once it is. Published when written: reads
    // then wait for the merge instead of seeing this profile as it was (HostedProfiles).
    if (cmd.answerWhenStarted()) {
      begin(new Linking(Step.TRANSFER, cmd.canonical(), null, null));
      return persist(List.of(new MergeStarted(cmd.canonical(), clock.instant())))
          .thenReply(cmd.replyTo(), s -> new LinkReply(LinkReply.Status.IN_PROGRESS, cmd.canonical(), null, "the merge is journaled and goes on"));
    }
    begin(new Linking(Step.TRANSFER, cmd.canonical(), cmd.replyTo(), null));
    return persist(List.of(new MergeStarted(cmd.canonical(), clock.instant()))).thenNoReply();
  }

  private ReplyEffect<Event, ProfileState> onAbsorb(ProfileState state, Absorb cmd) {
    // A repeated absorb (the answer was lost, the other side retried) is done already.
    if (state.links().absorbed(cmd.from())) return Effect().reply(cmd.replyTo(), LinkReply.linked(userId));
    var conflict = settings.identity().check(List.of(state.links().identities(userId), cmd.keys().stream().map(Identity::ofKey).toList()));
    if (conflict.isPresent())
      return Effect().reply(cmd.replyTo(), new LinkReply(LinkReply.Status.REFUSED, userId, conflict.get().field(), conflict.get().reason()));
    // Nothing of its own yet (the usual login: the customer's profile is new): it becomes the
    // other profile's folded state, as if those entries had been sent here; nothing is read or
    // refolded, and the entries stay in the other journal, referenced (read by an unmerge).
    if (cmd.state() != null && cmd.upTo() != null && lastSequenceNumber(context) == 0) {
      EffectBuilder<Event, ProfileState> effect = persist(withSegmentChanges(state, List.of(
          new Absorbed(cmd.from(), cmd.keys(), List.of(), inherited(state, cmd), clock.instant(), null, cmd.upTo(), cmd.state()))))
          .thenRun(s -> EngineMetrics.absorbs.labelValues("state").inc());
      ProfilePrediction p = cmd.state().value().prediction();
      // Its prediction came with it, unless one was still on its way there (the state holds no event
      // ids: that prediction names none).
      if (p == null || p.asOfEventCount() != cmd.state().value().eventCount()) effect = effect.thenRun(s -> predictions.request(s, null));
      return effect.thenReply(cmd.replyTo(), s -> LinkReply.linked(userId));
    }
    // Nothing handed over (an identity seen first in its link): this profile's entries stay as they
    // are, nothing to read first.
    if (cmd.upTo() == null && cmd.entries().isEmpty() && cmd.state() == null)
      return absorbed(state, cmd, List.of()).thenReply(cmd.replyTo(), s -> LinkReply.linked(userId));
    begin(new Linking(Step.ABSORB, cmd.from(), cmd.replyTo(), cmd));
    return Effect().noReply();
  }

  /**
   * Nothing journaled here (an identity seen first in its link): no entries, links or blocks to hand
   * over, so the merge is one row here and one there, without a step to resume. Only for an
   * identity the canonical profile cannot refuse (not unique, no user limit), as this profile
   * forwards from its row on.
   */
  private boolean mergesDirectly() {
    String type = Identity.ofKey(userId).type();
    return lastSequenceNumber(context) == 0 && !settings.identity().unique(type) && settings.identity().maxUsers(type) == 0;
  }

  /**
   * A direct merge's absorb, asked of the canonical profile until it answers: then its asker, if
   * any, learns the outcome. Refused (the canonical profile is full), this profile is its own again.
   */
  private ReplyEffect<Event, ProfileState> onCanonicalAnswered(ProfileState state, CanonicalAnswered cmd) {
    LinkReply reply = cmd.reply();
    if (reply == null) {
      var canonical = ClusterSharding.get(context.getSystem()).entityRefFor(ENTITY_KEY, cmd.canonical());
      context.pipeToSelf(canonical.<LinkReply>ask(r -> new Absorb(userId, List.of(userId), List.of(), List.of(), null, r), settings.askTimeout()),
          (answer, failure) -> failure == null ? new CanonicalAnswered(cmd.canonical(), answer, cmd.replyTo())
              : new CanonicalAnswered(cmd.canonical(), new LinkReply(LinkReply.Status.BUSY, cmd.canonical(), null, "no answer in time"), cmd.replyTo()));
      return Effect().noReply();
    }
    if (reply.status() == LinkReply.Status.BUSY) {
      context.scheduleOnce(BUSY_RETRY, context.getSelf(), new CanonicalAnswered(cmd.canonical(), null, cmd.replyTo()));
      return Effect().noReply();
    }
    if (reply.status() != LinkReply.Status.LINKED) {
      Instant now = clock.instant();
      EffectBuilder<Event, ProfileState> effect = persist(List.of(new Restored(cmd.canonical(), List.of(userId), List.of(), List.of(), now)));
      return cmd.replyTo() == null ? effect.thenNoReply() : effect.thenReply(cmd.replyTo(), s -> reply);
    }
    return cmd.replyTo() == null ? Effect().noReply() : Effect().reply(cmd.replyTo(), reply);
  }

  /** The blocks {@code absorb} brings that hold here: a block on an identity of the merged whole has no other side left to keep apart. */
  private List<String> inherited(ProfileState state, Handover absorb) {
    List<String> whole = new ArrayList<>(keys(state));
    whole.addAll(absorb.keys());
    return absorb.blocked().stream().filter(k -> !whole.contains(k)).toList();
  }

  private ReplyEffect<Event, ProfileState> onUnmerge(ProfileState state, Unmerge cmd) {
    if (cmd.key().equals(userId))
      return Effect().reply(cmd.replyTo(), new LinkReply(LinkReply.Status.REFUSED, userId,
          dev.profileengine.profile.identity.IdentityRules.field(Identity.ofKey(userId).type()),
          "is the canonical identity of this profile: unmerge the other identities from it"));
    String group = state.links().groups().get(cmd.key());
    if (group == null || group.equals(userId))
      return Effect().reply(cmd.replyTo(), new LinkReply(LinkReply.Status.NOT_LINKED, userId, null, "the identity is not linked to this profile"));
    int blocked = state.links().blocked().size();
    if (blocked >= settings.identity().maxBlocked())
      return Effect().reply(cmd.replyTo(), new LinkReply(LinkReply.Status.REFUSED, userId,
          dev.profileengine.profile.identity.IdentityRules.field(Identity.ofKey(cmd.key()).type()),
          "this profile already keeps " + blocked + " split-off identities from being linked again by events, the most it remembers: "
              + "link one of them back (POST /v1/identify) or forget the profile"));
    begin(new Linking(Step.SPLIT, group, cmd.replyTo(), null));
    return persist(List.of(new SplitStarted(group, clock.instant()))).thenNoReply();
  }

  private ReplyEffect<Event, ProfileState> onRestore(ProfileState state, Restore cmd) {
    if (!cmd.from().equals(state.links().mergedInto()))
      return Effect().reply(cmd.replyTo(), new LinkReply(LinkReply.Status.REFUSED, userId, null,
          "merged into " + state.links().mergedInto() + ", not " + cmd.from()));
    // From an older node, with the entries: nothing to read.
    if (cmd.upTo() == null) return restored(state, cmd, cmd.entries()).thenReply(cmd.replyTo(), s -> LinkReply.linked(userId));
    begin(new Linking(Step.RESTORE, cmd.from(), cmd.replyTo(), cmd));
    return Effect().noReply();
  }

  /** Canonical again with {@code entries}, as {@code cmd} from the profile it was merged into says. */
  private EffectBuilder<Event, ProfileState> restored(ProfileState state, Restore cmd, List<LedgerEntry> entries) {
    Instant now = clock.instant();
    // The restored side remembers the split too (it holds while either side stays canonical), and
    // takes back the blocks it had brought.
    return persist(withSegmentChanges(state, List.of(new Restored(cmd.from(), cmd.keys(), entries, cmd.blocked(), now),
        new LinkBlocked(List.of(cmd.from()), now))))
        .thenRun(s -> predictions.request(s, lastEventId(entries)));
  }

  /**
   * Starts a link step with what it reads from the journal first: a split its own entries, an
   * absorb its own and the absorbed profile's, a restore what it takes back of the other's; a
   * transfer reads nothing (the other side reads this journal up to its last write).
   */
  private void begin(Linking step) {
    linking = step;
    ProfileLedger ledger = ProfileLedger.get(context.getSystem());
    CompletionStage<LedgerLoaded> loaded = switch (step.step()) {
      case TRANSFER -> CompletableFuture.completedFuture(new LedgerLoaded(List.of(), Map.of()));
      case SPLIT -> own(ledger);
      // A profile whose journal holds no entries up to upTo (only link rows) leaves this one's
      // entries as they are: they are not read, refolded or journaled again.
      case ABSORB -> handedOver(ledger, step.handover()).thenCompose(theirs -> theirs.isEmpty()
          ? CompletableFuture.completedFuture(new LedgerLoaded(List.of(), Map.of()))
          : own(ledger).thenApply(own -> {
            List<LedgerEntry> all = new ArrayList<>(own.entries());
            all.addAll(theirs);
            return new LedgerLoaded(List.copyOf(all), own.blockOrigins());
          }));
      // The same split of the same entries as the side that split them off (Ledger.split); an older
      // node's restore, carrying its entries, never gets here (onRestore).
      case RESTORE -> handedOver(ledger, step.handover())
          .thenApply(theirs -> new LedgerLoaded(Ledger.split(theirs, java.util.Set.copyOf(step.handover().keys())).matching(), Map.of()));
    };
    context.pipeToSelf(loaded, (read, failure) -> failure == null ? read : new LedgerFailed(failure.toString()));
  }

  /** This profile's entries and where its blocks came from, as journaled up to now. */
  private CompletionStage<LedgerLoaded> own(ProfileLedger ledger) {
    // Nothing journaled yet (a user id seen first in its identify): no entries, no journal read.
    if (lastSequenceNumber(context) == 0) return CompletableFuture.completedFuture(new LedgerLoaded(List.of(), Map.of()));
    return ledger.load(userId).thenApply(read -> new LedgerLoaded(read.entries(), read.blocks().byKey()));
  }

  /** The entries {@code h} hands over: carried by an older node's message, else read from the sender's journal. */
  private static CompletionStage<List<LedgerEntry>> handedOver(ProfileLedger ledger, Handover h) {
    if (h.upTo() == null) return CompletableFuture.completedFuture(h.entries());
    return ledger.load(h.from(), h.upTo()).thenApply(ProfileLedger.Read::entries);
  }

  private ReplyEffect<Event, ProfileState> onLedgerFailed(LedgerFailed cmd) {
    context.getLog().warn("Reading the entries of {} failed: {}", userId, cmd.reason());
    if (linking.step() == Step.ABSORB || linking.step() == Step.RESTORE) {
      // Nothing journaled yet: the other side is told to retry and stays as it was.
      ActorRef<LinkReply> replyTo = linking.replyTo();
      linking = null;
      return Effect().reply(replyTo, new LinkReply(LinkReply.Status.BUSY, userId, null, "could not read the profile: retry")).thenUnstashAll();
    }
    begin(linking); // journaled as pending: it must finish
    return Effect().noReply();
  }

  private ReplyEffect<Event, ProfileState> onLedgerLoaded(ProfileState state, LedgerLoaded cmd) {
    Linking l = linking;
    switch (l.step()) {
      case TRANSFER -> {
        // Its blocks go with it: they hold for the profile it joins. Frozen from here (MergeStarted
        // is written, every command waits), the other side reads its entries up to this point.
        linking = l.sending(keys(state), lastSequenceNumber(context), null, state.links().blocked(), List.of());
        askOtherSide(state);
        return Effect().noReply();
      }
      case SPLIT -> {
        List<String> keys = state.links().groupOf(l.other());
        var split = Ledger.split(cmd.entries(), java.util.Set.copyOf(keys));
        BlockOrigins origins = new BlockOrigins(cmd.blockOrigins());
        linking = l.sending(keys, lastSequenceNumber(context), split.rest(), origins.heldBy(l.other()), origins.onlyHeldBy(l.other()));
        askOtherSide(state);
        return Effect().noReply();
      }
      case RESTORE -> {
        return restored(state, (Restore) l.handover(), cmd.entries())
            .thenRun(s -> linking = null)
            .thenReply(l.replyTo(), s -> LinkReply.linked(userId))
            .thenUnstashAll();
      }
      default -> {
        // Its own entries and the absorbed profile's.
        return absorbed(state, l.handover(), cmd.entries())
            .thenRun(s -> linking = null)
            .thenReply(l.replyTo(), s -> LinkReply.linked(userId)).thenUnstashAll();
      }
    }
  }

  /**
   * Journals {@code absorb} taken with {@code all} the entries of both sides, refolded; none (nothing
   * came with it): this profile's entries, behaviors and prediction stay as they are.
   */
  private EffectBuilder<Event, ProfileState> absorbed(ProfileState state, Handover absorb, List<LedgerEntry> all) {
    boolean kept = all.isEmpty();
    EffectBuilder<Event, ProfileState> effect =
        persist(withSegmentChanges(state, List.of(new Absorbed(absorb.from(), absorb.keys(), all, inherited(state, absorb), clock.instant(), kept))))
            .thenRun(s -> EngineMetrics.absorbs.labelValues(kept ? "kept" : "refold").inc());
    return kept ? effect : effect.thenRun(s -> predictions.request(s, lastEventId(all)));
  }

  /**
   * Sends the pending step to the other profile; no answer in time is retried (each side makes a
   * repeat harmless). A merge sends this profile's {@code state} too: frozen since MergeStarted,
   * it is the fold of the entries up to {@code upTo} (its own identity links left out: the other
   * side keeps its own).
   */
  private void askOtherSide(ProfileState state) {
    Linking l = linking;
    var other = ClusterSharding.get(context.getSystem()).entityRefFor(ENTITY_KEY, l.other());
    // A journal whose only row is its MergeStarted has no entries: they go in the message (none), nothing to read.
    Long upTo = l.step() == Step.TRANSFER && l.upTo() == 1L ? null : l.upTo();
    java.util.concurrent.CompletionStage<LinkReply> answer = l.step() == Step.TRANSFER
        ? other.ask(r -> new Absorb(userId, l.keys(), List.of(), l.blocked(), upTo,
            upTo == null ? null : new FoldedState(state.withLinks(IdentityLinks.NONE)), r), settings.askTimeout())
        : other.ask(r -> new Restore(userId, l.keys(), List.of(), l.blocked(), l.upTo(), r), settings.askTimeout());
    context.pipeToSelf(answer, (reply, failure) -> new OtherSideAnswered(failure == null ? reply : null));
  }

  private ReplyEffect<Event, ProfileState> onOtherSideAnswered(ProfileState state, OtherSideAnswered cmd) {
    Linking l = linking;
    LinkReply reply = cmd.reply();
    if (reply == null) {
      askOtherSide(state);
      if (l.replyTo() == null) return Effect().noReply();
      linking = l.answered();
      return Effect().reply(l.replyTo(), new LinkReply(LinkReply.Status.IN_PROGRESS, userId, null,
          "the other profile did not answer in time; the step is journaled and goes on: retry to see it done"));
    }
    if (reply.status() == LinkReply.Status.BUSY && l.step() == Step.TRANSFER && l.replyTo() == null) {
      // Nobody to tell to retry (answered when started, or resumed after a crash): the merge retries
      // itself, after a pause, until the other side takes it or refuses it.
      context.scheduleOnce(BUSY_RETRY, context.getSelf(), new OtherSideAnswered(null));
      return Effect().noReply();
    }
    List<Event> done;
    if (reply.status() != LinkReply.Status.LINKED) done = List.of(new LinkCancelled(l.other(), reply.reason(), clock.instant()));
    else if (l.step() == Step.TRANSFER) done = withSegmentChanges(state, List.of(new MergedInto(reply.canonical(), clock.instant())));
    else {
      // Journaled with the split in one write: no moment where it is split and not remembered.
      Instant now = clock.instant();
      done = withSegmentChanges(state, List.of(new SplitOff(l.other(), l.keys(), l.kept(), l.released(), now), new LinkBlocked(l.keys(), now)));
    }
    EffectBuilder<Event, ProfileState> effect = persist(done).thenRun(s -> linking = null);
    if (l.step() == Step.SPLIT && reply.status() == LinkReply.Status.LINKED) effect = effect.thenRun(s -> predictions.request(s, lastEventId(l.kept())));
    LinkReply answer = reply.status() == LinkReply.Status.LINKED && l.step() == Step.SPLIT ? LinkReply.linked(userId) : reply;
    if (l.replyTo() != null && l.step() == Step.TRANSFER && reply.status() == LinkReply.Status.LINKED) {
      // The merge is done once the canonical profile journaled its absorb: MergedInto only ends
      // this side's step, which MergeStarted makes finish after a crash, and every command here
      // waits until it is written. So the asker need not wait for one more journal commit.
      l.replyTo().tell(answer);
      return effect.thenNoReply().thenUnstashAll();
    }
    return (l.replyTo() == null ? effect.thenNoReply() : effect.thenReply(l.replyTo(), s -> answer)).thenUnstashAll();
  }

  /** The id of the latest behavior among {@code entries} (what a prediction after a re-fold is as of), or null. */
  private static String lastEventId(List<LedgerEntry> entries) {
    return entries.stream().filter(e -> e.event() != null).max(LedgerEntry.ORDER).map(e -> e.event().eventId()).orElse(null);
  }

  private ReplyEffect<Event, ProfileState> onRecordEvents(ProfileState state, RecordEvents cmd) {
    Instant now = clock.instant();
    EventValidation validation = settings.validation();
    BatchAdmission admission = new BatchAdmission(state, settings.profile());
    List<EventResult> results = new ArrayList<>(cmd.events().size());
    List<Event> accepted = new ArrayList<>(cmd.events().size());
    // Without analytics consent an event is acknowledged (exactly-once) but not profiled.
    boolean profiled = state.allows(Consent.Purpose.ANALYTICS, settings.profile());
    for (BehaviorEvent e : cmd.events()) {
      List<FieldError> errors = validation.validate(e, now);
      if (errors.isEmpty() && !state.links().owns(userId, e.userId())) errors = List.of(new FieldError("userId", "does not belong to profile " + userId));
      if (!errors.isEmpty()) {
        results.add(EventResult.invalid(e.eventId(), errors));
        continue;
      }
      Admission a = admission.admit(e);
      if (!(a instanceof Admission.Accept)) results.add(EventResult.of(e.eventId(), a));
      else if (profiled) {
        results.add(EventResult.of(e.eventId(), a));
        accepted.add(new EventRecorded(settings.pii().apply(e)));
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
    predictions.scoreLast(state, ((EventRecorded) accepted.get(0)).event());
    String lastId = ((EventRecorded) accepted.get(accepted.size() - 1)).event().eventId();
    if (predictions.writeMayWait() && predictions.requestBeforeWrite(fold(state, accepted), lastId)) {
      waiting = new WaitingWrite(accepted, cmd.replyTo(), reply, lastId, writeStart);
      return Effect().noReply();
    }
    return persistRecorded(state, accepted, writeStart)
        .thenRun(s -> predictions.request(s, lastId))
        .thenReply(cmd.replyTo(), s -> reply);
  }

  /** The waiting write goes ahead, with the prediction its events lead to when it came in time. */
  private ReplyEffect<Event, ProfileState> onWritePredicted(ProfileState state, WritePredicted cmd) {
    WaitingWrite w = waiting;
    waiting = null;
    predictions.writePredicted(cmd.prediction());
    List<Event> events = new ArrayList<>(w.accepted());
    cmd.prediction().filter(p -> predictions.keeps(fold(state, w.accepted()), p)).ifPresent(p -> events.add(new PredictionUpdated(p)));
    return persistRecorded(state, events, w.writeStart())
        .thenReply(w.replyTo(), s -> w.reply())
        .thenUnstashAll();
  }

  /** Persists recorded events (with their segment change), timing the write and advancing the event-time watermark. */
  private EffectBuilder<Event, ProfileState> persistRecorded(ProfileState state, List<Event> events, long writeStart) {
    return persist(withSegmentChanges(state, events))
        .thenRun(s -> EngineMetrics.journalWriteSeconds.observe((System.nanoTime() - writeStart) / 1e9))
        .thenRun(s -> watermark.advance(s.lastEventMillis()));
  }

  private ProfileState fold(ProfileState state, List<? extends Event> events) {
    folded.clear();
    ProfileState next = state;
    for (Event e : events) {
      ProfileState from = next;
      next = foldEvent(from, e);
      folded.record(from, e, next);
    }
    return next;
  }

  // What the command side folded, so the event handler does not fold a write's events twice.
  private final FoldMemo<ProfileState, Event> folded = new FoldMemo<>();

  /**
   * Persists {@code events}; once the journal confirms them, the new state is readable on this node
   * without a message to the entity ({@link HostedProfiles}), before any reply.
   */
  private EffectBuilder<Event, ProfileState> persist(List<Event> events) {
    return Effect().persist(events).thenRun(s -> hosted.publish(userId, s));
  }

  private ReplyEffect<Event, ProfileState> onPredictionReady(ProfileState state, PredictionReady cmd) {
    String next = predictions.answered();
    if (!predictions.keeps(state, cmd.prediction())) {
      predictions.requestNext(state, next);
      return Effect().noReply();
    }
    return persist(withSegmentChanges(state, List.of(new PredictionUpdated(cmd.prediction()))))
        .thenRun(s -> predictions.requestNext(s, next))
        .thenNoReply();
  }

  private ReplyEffect<Event, ProfileState> onSetAttributes(ProfileState state, SetAttributes cmd) {
    // Re-checked here: the gateway checks the request alone and may be bypassed.
    FieldError over = settings.attributeLimits().check(state.attributes(), cmd.attributes());
    if (over != null) return Effect().reply(cmd.replyTo(), new ProfileReply(Optional.empty(), over));
    Map<String, Object> changes = AttributeChanges.effective(state.attributes(), cmd.attributes());
    // an empty or no-op write stores nothing: no journal row, no change notified
    if (changes.isEmpty()) return Effect().reply(cmd.replyTo(), new ProfileReply(Optional.of(state.view(null, settings.profile()))));
    return persist(withSegmentChanges(state, List.of(new AttributesSet(changes, clock.instant()))))
        .thenReply(cmd.replyTo(), s -> new ProfileReply(Optional.of(s.view(null, settings.profile()))));
  }

  private ReplyEffect<Event, ProfileState> onSetConsent(ProfileState state, SetConsent cmd) {
    return persist(withSegmentChanges(state, List.of(new ConsentSet(cmd.changes(), clock.instant()))))
        .thenReply(cmd.replyTo(), s -> new ProfileReply(Optional.of(s.view(null, settings.profile()))));
  }

  private ReplyEffect<Event, ProfileState> onReevaluateSegments(ProfileState state, ReevaluateSegments cmd) {
    List<Event> changes = withSegmentChanges(state, List.of(), cmd.asOf());
    if (changes.isEmpty()) return Effect().reply(cmd.replyTo(), false);
    return persist(changes).thenReply(cmd.replyTo(), s -> true);
  }

  private ReplyEffect<Event, ProfileState> onForget(Forget cmd) {
    if (!erasure.possible()) return Effect().reply(cmd.replyTo(), new ForgetReply(true, 0, 0, "this entity cannot forget"));
    erasure.request(cmd.replyTo(), lastSequenceNumber(context)); // waits for a due snapshot first
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
    SegmentChange change = SegmentChange.of(next, settings.segments(), settings.profile(), asOf);
    List<Event> all = new ArrayList<>(events);
    if (change != null) all.add(new SegmentsChanged(change.entered(), change.left(), change.members(), clock.instant()));
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
      erasure.recovered(lastSequenceNumber(context));
      hosted.publish(userId, state);
      // A merge or unmerge journaled as started finishes now (each side makes a repeat harmless).
      var pending = state.links().pending();
      if (pending != null)
        begin(new Linking(pending.kind() == IdentityLinks.Pending.Kind.MERGE ? Step.TRANSFER : Step.SPLIT, pending.other(), null, null));
      // A direct merge's one row: the canonical profile may not have taken the key before a crash
      // (a repeat is harmless there).
      else if (lastSequenceNumber(context) == 1 && state.links().forwards())
        context.getSelf().tell(new CanonicalAnswered(state.links().mergedInto(), null, null));
    } else if (signal instanceof SnapshotCompleted sig) erasure.snapshotSettled(sig.metadata().sequenceNr());
    else if (signal instanceof SnapshotFailed sig) {
      context.getLog().warn("Snapshot {} of {} failed: {}", sig.metadata().sequenceNr(), userId, sig.getFailure().toString());
      erasure.snapshotSettled(sig.metadata().sequenceNr());
    } else if (signal instanceof akka.actor.typed.PostStop || signal instanceof akka.actor.typed.PreRestart) {
      hosted.withdraw(userId);
      EngineMetrics.activeEntities.dec();
    }
  }

  // ---- events ----

  @Override
  public EventHandler<ProfileState, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(this::applyEvent);
  }

  /** One journaled event applied: as the command that wrote it folded it, else folded here (recovery). */
  private ProfileState applyEvent(ProfileState state, Event event) {
    ProfileState known = folded.take(state, event);
    return known != null ? known : foldEvent(state, event);
  }

  /** The pure fold of one journaled event. */
  private ProfileState foldEvent(ProfileState state, Event event) {
    if (event instanceof Forgotten f) return ProfileState.forgotten(userId, f.at().toEpochMilli());
    ProfileState s = state.forUser(userId).changed();
    // Java 17: type patterns in switch are a preview feature, so instanceof it is.
    if (event instanceof EventRecorded e) return s.apply(e.event(), settings.profile());
    if (event instanceof EventAcknowledged e) return s.acknowledged(e.eventId(), e.timestamp().toEpochMilli(), settings.profile());
    if (event instanceof AttributesSet e) return s.withAttributes(e.attributes());
    if (event instanceof PredictionUpdated e) return s.withPrediction(e.prediction());
    if (event instanceof ConsentSet e) return s.withConsent(e.changes(), e.at(), settings.profile().consentDefaults());
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
      return e.keepsEntries() ? linked : Ledger.fold(linked, e.entries(), settings.profile());
    }
    if (event instanceof SplitOff e)
      return Ledger.fold(s.withLinks(links.unlinked(e.keys()).unblocked(e.released()).withPending(null)), e.kept(), settings.profile());
    if (event instanceof Restored e) {
      IdentityLinks own = new IdentityLinks(java.util.Map.of(), null, null, links.seenWith(), e.blocked());
      // Each identity that came back is its own group again, so it can be split off on its own.
      for (String k : e.keys()) if (!k.equals(userId)) own = own.linked(List.of(k), k);
      return Ledger.fold(s.withLinks(own), e.entries(), settings.profile());
    }
    throw new IllegalStateException("unknown event " + event.getClass());
  }
}
