package dev.profileengine.engine;

import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.ActorContext;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.persistence.typed.javadsl.EffectBuilder;
import akka.persistence.typed.javadsl.EffectFactories;
import akka.persistence.typed.javadsl.ReplyEffect;
import dev.profileengine.engine.UserProfile.Absorb;
import dev.profileengine.engine.UserProfile.Absorbed;
import dev.profileengine.engine.UserProfile.CanonicalAnswered;
import dev.profileengine.engine.UserProfile.Command;
import dev.profileengine.engine.UserProfile.Event;
import dev.profileengine.engine.UserProfile.FoldedState;
import dev.profileengine.engine.UserProfile.ForgetDone;
import dev.profileengine.engine.UserProfile.ForgetFailed;
import dev.profileengine.engine.UserProfile.Handover;
import dev.profileengine.engine.UserProfile.IdentitySeen;
import dev.profileengine.engine.UserProfile.LedgerFailed;
import dev.profileengine.engine.UserProfile.LedgerLoaded;
import dev.profileengine.engine.UserProfile.LinkBlocked;
import dev.profileengine.engine.UserProfile.LinkCancelled;
import dev.profileengine.engine.UserProfile.LinkReply;
import dev.profileengine.engine.UserProfile.MergeInto;
import dev.profileengine.engine.UserProfile.MergeStarted;
import dev.profileengine.engine.UserProfile.MergedInto;
import dev.profileengine.engine.UserProfile.OtherSideAnswered;
import dev.profileengine.engine.UserProfile.PredictionFailed;
import dev.profileengine.engine.UserProfile.PredictionReady;
import dev.profileengine.engine.UserProfile.ReevaluateSegments;
import dev.profileengine.engine.UserProfile.Restore;
import dev.profileengine.engine.UserProfile.Restored;
import dev.profileengine.engine.UserProfile.SeenWith;
import dev.profileengine.engine.UserProfile.SnapshotSettled;
import dev.profileengine.engine.UserProfile.SplitOff;
import dev.profileengine.engine.UserProfile.SplitStarted;
import dev.profileengine.engine.UserProfile.Unmerge;
import dev.profileengine.profile.Identity;
import dev.profileengine.profile.IdentityLinks;
import dev.profileengine.profile.ProfilePrediction;
import dev.profileengine.profile.ProfileState;
import dev.profileengine.profile.identity.BlockOrigins;
import dev.profileengine.profile.identity.Ledger;
import dev.profileengine.profile.identity.LedgerEntry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One profile entity's identity-link steps: merge (into another profile), absorb (another profile),
 * unmerge (split an identity off) and restore (canonical again), each journaled as started and
 * finished after a crash. {@link UserProfile} hands it the commands of these steps and, while one
 * is in progress, every command ({@link #whileLinking}); the journal rows it writes are the
 * entity's ({@link Writes}), so the entity's fold and its change stream see them as any other.
 */
final class ProfileLinks {
  /** What a link step needs of its entity: its effects and writes. */
  interface Writes {
    EffectFactories<Event, ProfileState> effect();

    /** Persists {@code events}, published for reads once written. */
    EffectBuilder<Event, ProfileState> persist(List<Event> events);

    /** {@code events} with the segment change they cause. */
    List<Event> withSegmentChanges(ProfileState state, List<? extends Event> events);

    long lastSequenceNumber();

    /** Asks for a prediction as of {@code eventId} (null: the profile's latest), see {@link PredictionRequests#request}. */
    void requestPrediction(ProfileState state, String eventId);

    /** Asks the shard to stop this entity (a later command for it starts it again). */
    void passivate();
  }

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

  // A merge the other side is too busy for asks again after this long.
  private static final Duration BUSY_RETRY = Duration.ofMillis(100);

  private final ActorContext<Command> context;
  private final String userId;
  private final EngineSettings settings;
  private final Clock clock;
  private final Writes writes;
  // The step in progress (null: none); other commands wait in the stash meanwhile.
  private Linking linking;
  // A direct merge not confirmed yet: its row is written, the canonical profile has not said it took
  // the key. Other commands wait in the stash meanwhile: forwarded now, they would reach a profile
  // that does not own the key yet (an event refused, a read without it), or the canonical profile
  // that took it may differ from the row's (it moved meanwhile), which its answer corrects first.
  private boolean confirming;
  // This incarnation journaled a direct merge: once confirmed, it holds nothing to keep it live.
  private boolean mergedDirectly;

  ProfileLinks(ActorContext<Command> context, String userId, EngineSettings settings, Clock clock, Writes writes) {
    this.context = context;
    this.userId = userId;
    this.settings = settings;
    this.clock = clock;
    this.writes = writes;
  }

  /** A step is in progress: every command goes to {@link #whileLinking}. */
  boolean inProgress() {
    return linking != null;
  }

  /** Whether a stop would lose something: a step or a direct merge's confirmation is under way (commands wait in the stash). */
  boolean busy() {
    return linking != null || confirming;
  }

  /**
   * After recovery: a merge or unmerge journaled as started finishes now (each side makes a repeat
   * harmless); a direct merge's one row is offered to the canonical profile again, which may not
   * have taken the key before a crash.
   */
  void recovered(ProfileState state) {
    var pending = state.links().pending();
    if (pending != null)
      begin(new Linking(pending.kind() == IdentityLinks.Pending.Kind.MERGE ? Step.TRANSFER : Step.SPLIT, pending.other(), null, null));
    else if (writes.lastSequenceNumber() == 1 && state.links().forwards()) {
      confirming = true;
      context.getSelf().tell(new CanonicalAnswered(state.links().mergedInto(), null, null));
    }
  }

  private EffectFactories<Event, ProfileState> effect() {
    return writes.effect();
  }

  /** The profile's identity keys, its own first. */
  List<String> keys(ProfileState state) {
    return state.links().keys(userId);
  }

  /** Merged into another profile: everything goes there, except what only this profile can answer. Null: as in any state (an erasure's end). */
  ReplyEffect<Event, ProfileState> whileMerged(ProfileState state, Command command) {
    String canonical = state.links().mergedInto();
    if (command instanceof CanonicalAnswered c) return onCanonicalAnswered(state, c);
    if (command instanceof PredictionReady || command instanceof PredictionFailed || command instanceof LedgerLoaded
        || command instanceof LedgerFailed || command instanceof OtherSideAnswered || command instanceof SnapshotSettled) return effect().noReply();
    if (confirming) {
      // Told busy, not kept waiting: a profile waiting for this one's answer must not be waited for.
      if (command instanceof Absorb c)
        return effect().reply(c.replyTo(), new LinkReply(LinkReply.Status.BUSY, userId, null, "the profile is being merged"));
      return effect().stash();
    }
    if (command instanceof MergeInto c) return effect().reply(c.replyTo(), new LinkReply(LinkReply.Status.MOVED, canonical, null, null));
    if (command instanceof Restore c) return onRestore(state, c);
    if (command instanceof ReevaluateSegments c) return effect().reply(c.replyTo(), false);
    if (command instanceof ForgetDone || command instanceof ForgetFailed) return null;
    // Events sent under this profile's key are accepted there (it owns the key now); reads,
    // writes, forgets and further links are the canonical profile's.
    ClusterSharding.get(context.getSystem()).entityRefFor(UserProfile.ENTITY_KEY, canonical).tell(command);
    return effect().noReply();
  }

  /** A link step is in progress: its own messages go on, a competing absorb is told to come back, the rest (a repeat of it too) waits. */
  ReplyEffect<Event, ProfileState> whileLinking(ProfileState state, Command command) {
    if (command instanceof LedgerLoaded c) return onLedgerLoaded(state, c);
    if (command instanceof LedgerFailed c) return onLedgerFailed(c);
    if (command instanceof OtherSideAnswered c) return onOtherSideAnswered(state, c);
    if (command instanceof Absorb c) {
      if (linkedAlready(state, c)) return effect().reply(c.replyTo(), LinkReply.linked(holderOf(state, c)));
      // A repeat of the absorb in progress (the sender's ask timed out while the journal was read)
      // waits for it: told busy, the sender would cancel a merge that is about to be journaled here.
      if (linking.step() == Step.ABSORB && linking.other().equals(c.from())) return effect().stash();
      return effect().reply(c.replyTo(), new LinkReply(LinkReply.Status.BUSY, userId, "userId", "the profile is being merged or split: retry"));
    }
    return effect().stash();
  }

  ReplyEffect<Event, ProfileState> onSeenWith(ProfileState state, SeenWith cmd) {
    List<String> unseen = state.links().unseen(cmd.userIds(), cmd.maxUsers());
    if (unseen.isEmpty()) return effect().reply(cmd.replyTo(), state.links().shared(cmd.maxUsers()));
    return effect().persist(new IdentitySeen(unseen, cmd.maxUsers(), clock.instant()))
        .thenReply(cmd.replyTo(), s -> s.links().shared(cmd.maxUsers()));
  }

  ReplyEffect<Event, ProfileState> onMergeInto(MergeInto cmd) {
    if (cmd.canonical().equals(userId)) return effect().reply(cmd.replyTo(), LinkReply.linked(userId));
    if (mergesDirectly()) {
      // An event's links need only this row (it forwards from here on, and brings nothing the
      // canonical profile must fold first); an identify is answered once that profile took the key.
      ActorRef<LinkReply> waiting = cmd.answerWhenStarted() ? null : cmd.replyTo();
      confirming = true;
      mergedDirectly = true;
      EffectBuilder<Event, ProfileState> effect = writes.persist(List.of(new MergedInto(cmd.canonical(), clock.instant(), true)))
          .thenRun(s -> context.getSelf().tell(new CanonicalAnswered(cmd.canonical(), null, waiting)));
      return waiting == null ? effect.thenReply(cmd.replyTo(), s -> LinkReply.linked(cmd.canonical())) : effect.thenNoReply();
    }
    // Every earlier write is committed (commands wait while one is written), so the entries are read
    // while MergeStarted is written; their answer is handled once it is. Published when written: reads
    // then wait for the merge instead of seeing this profile as it was (HostedProfiles).
    if (cmd.answerWhenStarted()) {
      begin(new Linking(Step.TRANSFER, cmd.canonical(), null, null));
      return writes.persist(List.of(new MergeStarted(cmd.canonical(), clock.instant())))
          .thenReply(cmd.replyTo(), s -> new LinkReply(LinkReply.Status.IN_PROGRESS, cmd.canonical(), null, "the merge is journaled and goes on"));
    }
    begin(new Linking(Step.TRANSFER, cmd.canonical(), cmd.replyTo(), null));
    return writes.persist(List.of(new MergeStarted(cmd.canonical(), clock.instant()))).thenNoReply();
  }

  ReplyEffect<Event, ProfileState> onAbsorb(ProfileState state, Absorb cmd) {
    // A repeated absorb (the answer was lost, the other side retried) is done already.
    if (linkedAlready(state, cmd)) return effect().reply(cmd.replyTo(), LinkReply.linked(holderOf(state, cmd)));
    var conflict = settings.identity().check(List.of(state.links().identities(userId), cmd.keys().stream().map(Identity::ofKey).toList()));
    if (conflict.isPresent())
      return effect().reply(cmd.replyTo(), new LinkReply(LinkReply.Status.REFUSED, userId, conflict.get().field(), conflict.get().reason()));
    // Nothing of its own yet (the usual login: the customer's profile is new): it becomes the
    // other profile's folded state, as if those entries had been sent here; nothing is read or
    // refolded, and the entries stay in the other journal, referenced (read by an unmerge).
    if (cmd.state() != null && cmd.upTo() != null && writes.lastSequenceNumber() == 0) {
      EffectBuilder<Event, ProfileState> effect = writes.persist(writes.withSegmentChanges(state, List.of(
          new Absorbed(cmd.from(), cmd.keys(), List.of(), inherited(state, cmd), clock.instant(), null, cmd.upTo(), cmd.state()))))
          .thenRun(s -> EngineMetrics.absorbs.labelValues("state").inc());
      ProfilePrediction p = cmd.state().value().prediction();
      // Its prediction came with it, unless one was still on its way there (the state holds no event
      // ids: that prediction names none).
      if (p == null || p.asOfEventCount() != cmd.state().value().eventCount()) effect = effect.thenRun(s -> writes.requestPrediction(s, null));
      return effect.thenReply(cmd.replyTo(), s -> LinkReply.linked(userId));
    }
    // Nothing handed over (an identity seen first in its link): this profile's entries stay as they
    // are, nothing to read first.
    if (cmd.upTo() == null && cmd.entries().isEmpty() && cmd.state() == null)
      return absorbed(state, cmd, List.of()).thenReply(cmd.replyTo(), s -> LinkReply.linked(userId));
    begin(new Linking(Step.ABSORB, cmd.from(), cmd.replyTo(), cmd));
    return effect().noReply();
  }

  /**
   * Whether {@code absorb} is done already: the profile it names was absorbed here, or it is a direct
   * merge's (its key only, nothing handed over) and the key is linked here, in whatever group (asked
   * again after a restart through a profile that merged here since, it must not become a group of
   * its own: an unmerge of that profile would then leave it pointing at a profile without it).
   */
  private static boolean linkedAlready(ProfileState state, Absorb absorb) {
    if (state.links().absorbed(absorb.from())) return true;
    return absorb.keys().equals(List.of(absorb.from())) && absorb.upTo() == null && absorb.entries().isEmpty() && absorb.state() == null
        && state.links().groups().containsKey(absorb.from());
  }

  /**
   * Where the sender of {@code absorb}, linked here already, is to point: the profile it came with
   * when that one merged here (split off, that one takes it back), else this one.
   */
  private String holderOf(ProfileState state, Absorb absorb) {
    String group = state.links().groups().get(absorb.from());
    return group == null || group.equals(absorb.from()) ? userId : group;
  }

  /**
   * Nothing journaled here (an identity seen first in its link): no entries, links or blocks to hand
   * over, so the merge is one row here and one there, without a step to resume. Only for an
   * identity the canonical profile cannot refuse (not unique, no user limit), as this profile
   * forwards from its row on.
   */
  private boolean mergesDirectly() {
    String type = Identity.ofKey(userId).type();
    return writes.lastSequenceNumber() == 0 && !settings.identity().unique(type) && settings.identity().maxUsers(type) == 0;
  }

  /**
   * A direct merge's absorb, asked of the canonical profile until it answers: then its asker, if
   * any, learns the outcome. Refused (the canonical profile is full), this profile is its own again.
   * Taken by another profile than its row names (the absorb was forwarded: that one merged meanwhile),
   * it points at the one that took it: its row would lead to a profile without it once the
   * intermediate one is split off again.
   */
  private ReplyEffect<Event, ProfileState> onCanonicalAnswered(ProfileState state, CanonicalAnswered cmd) {
    if (!confirming || !state.links().forwards()) return effect().noReply();
    LinkReply reply = cmd.reply();
    if (reply == null) {
      var canonical = ClusterSharding.get(context.getSystem()).entityRefFor(UserProfile.ENTITY_KEY, cmd.canonical());
      context.pipeToSelf(canonical.<LinkReply>ask(r -> new Absorb(userId, List.of(userId), List.of(), List.of(), null, r), settings.askTimeout()),
          (answer, failure) -> failure == null ? new CanonicalAnswered(cmd.canonical(), answer, cmd.replyTo())
              : new CanonicalAnswered(cmd.canonical(), new LinkReply(LinkReply.Status.BUSY, cmd.canonical(), null, "no answer in time"), cmd.replyTo()));
      return effect().noReply();
    }
    if (reply.status() == LinkReply.Status.BUSY) {
      context.scheduleOnce(BUSY_RETRY, context.getSelf(), new CanonicalAnswered(cmd.canonical(), null, cmd.replyTo()));
      return effect().noReply();
    }
    confirming = false;
    if (reply.status() != LinkReply.Status.LINKED) {
      Instant now = clock.instant();
      EffectBuilder<Event, ProfileState> effect = writes.persist(List.of(new Restored(cmd.canonical(), List.of(userId), List.of(), List.of(), now)));
      return (cmd.replyTo() == null ? effect.thenNoReply() : effect.thenReply(cmd.replyTo(), s -> reply)).thenUnstashAll();
    }
    if (!reply.canonical().equals(state.links().mergedInto())) {
      EffectBuilder<Event, ProfileState> effect = writes.persist(List.of(new MergedInto(reply.canonical(), clock.instant())));
      return (cmd.replyTo() == null ? effect.thenNoReply() : effect.thenReply(cmd.replyTo(), s -> reply)).thenUnstashAll();
    }
    // An identity seen first in its link (each new user of a logged-in app) holds nothing now: it
    // stops instead of staying live beside its canonical profile. Restarted later by a command
    // under this id alone, it stays, as any entity does.
    if (mergedDirectly) {
      mergedDirectly = false;
      writes.passivate();
    }
    return (cmd.replyTo() == null ? effect().noReply() : effect().reply(cmd.replyTo(), reply)).thenUnstashAll();
  }

  /** The blocks {@code absorb} brings that hold here: a block on an identity of the merged whole has no other side left to keep apart. */
  private List<String> inherited(ProfileState state, Handover absorb) {
    List<String> whole = new ArrayList<>(keys(state));
    whole.addAll(absorb.keys());
    return absorb.blocked().stream().filter(k -> !whole.contains(k)).toList();
  }

  ReplyEffect<Event, ProfileState> onUnmerge(ProfileState state, Unmerge cmd) {
    if (cmd.key().equals(userId))
      return effect().reply(cmd.replyTo(), new LinkReply(LinkReply.Status.REFUSED, userId,
          dev.profileengine.profile.identity.IdentityRules.field(Identity.ofKey(userId).type()),
          "is the canonical identity of this profile: unmerge the other identities from it"));
    String group = state.links().groups().get(cmd.key());
    if (group == null || group.equals(userId))
      return effect().reply(cmd.replyTo(), new LinkReply(LinkReply.Status.NOT_LINKED, userId, null, "the identity is not linked to this profile"));
    int blocked = state.links().blocked().size();
    if (blocked >= settings.identity().maxBlocked())
      return effect().reply(cmd.replyTo(), new LinkReply(LinkReply.Status.REFUSED, userId,
          dev.profileengine.profile.identity.IdentityRules.field(Identity.ofKey(cmd.key()).type()),
          "this profile already keeps " + blocked + " split-off identities from being linked again by events, the most it remembers: "
              + "link one of them back (POST /v1/identify) or forget the profile"));
    begin(new Linking(Step.SPLIT, group, cmd.replyTo(), null));
    return writes.persist(List.of(new SplitStarted(group, clock.instant()))).thenNoReply();
  }

  private ReplyEffect<Event, ProfileState> onRestore(ProfileState state, Restore cmd) {
    // The graph moved under the unmerge (it was asked of a profile this one no longer points at): a
    // race, not the client's error, which the unmerge answers with a retry.
    if (!cmd.from().equals(state.links().mergedInto()))
      return effect().reply(cmd.replyTo(), new LinkReply(LinkReply.Status.BUSY, userId, null,
          "the identity moved to another profile meanwhile"));
    // From an older node, with the entries: nothing to read.
    if (cmd.upTo() == null) return restored(state, cmd, cmd.entries()).thenReply(cmd.replyTo(), s -> LinkReply.linked(userId));
    begin(new Linking(Step.RESTORE, cmd.from(), cmd.replyTo(), cmd));
    return effect().noReply();
  }

  /** Canonical again with {@code entries}, as {@code cmd} from the profile it was merged into says. */
  private EffectBuilder<Event, ProfileState> restored(ProfileState state, Restore cmd, List<LedgerEntry> entries) {
    Instant now = clock.instant();
    // The restored side remembers the split too (it holds while either side stays canonical), and
    // takes back the blocks it had brought.
    return writes.persist(writes.withSegmentChanges(state, List.of(new Restored(cmd.from(), cmd.keys(), entries, cmd.blocked(), now),
        new LinkBlocked(List.of(cmd.from()), now))))
        .thenRun(s -> writes.requestPrediction(s, lastEventId(entries)));
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
    if (writes.lastSequenceNumber() == 0) return CompletableFuture.completedFuture(new LedgerLoaded(List.of(), Map.of()));
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
      return effect().reply(replyTo, new LinkReply(LinkReply.Status.BUSY, userId, null, "could not read the profile: retry")).thenUnstashAll();
    }
    begin(linking); // journaled as pending: it must finish
    return effect().noReply();
  }

  private ReplyEffect<Event, ProfileState> onLedgerLoaded(ProfileState state, LedgerLoaded cmd) {
    Linking l = linking;
    switch (l.step()) {
      case TRANSFER -> {
        // Its blocks go with it: they hold for the profile it joins. Frozen from here (MergeStarted
        // is written, every command waits), the other side reads its entries up to this point.
        linking = l.sending(keys(state), writes.lastSequenceNumber(), null, state.links().blocked(), List.of());
        askOtherSide(state);
        return effect().noReply();
      }
      case SPLIT -> {
        List<String> keys = state.links().groupOf(l.other());
        var split = Ledger.split(cmd.entries(), java.util.Set.copyOf(keys));
        BlockOrigins origins = new BlockOrigins(cmd.blockOrigins());
        linking = l.sending(keys, writes.lastSequenceNumber(), split.rest(), origins.heldBy(l.other()), origins.onlyHeldBy(l.other()));
        askOtherSide(state);
        return effect().noReply();
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
        writes.persist(writes.withSegmentChanges(state, List.of(new Absorbed(absorb.from(), absorb.keys(), all, inherited(state, absorb), clock.instant(), kept))))
            .thenRun(s -> EngineMetrics.absorbs.labelValues(kept ? "kept" : "refold").inc());
    return kept ? effect : effect.thenRun(s -> writes.requestPrediction(s, lastEventId(all)));
  }

  /**
   * Sends the pending step to the other profile; no answer in time is retried (each side makes a
   * repeat harmless). A merge sends this profile's {@code state} too: frozen since MergeStarted,
   * it is the fold of the entries up to {@code upTo} (its own identity links left out: the other
   * side keeps its own).
   */
  private void askOtherSide(ProfileState state) {
    Linking l = linking;
    var other = ClusterSharding.get(context.getSystem()).entityRefFor(UserProfile.ENTITY_KEY, l.other());
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
      if (l.replyTo() == null) return effect().noReply();
      linking = l.answered();
      return effect().reply(l.replyTo(), new LinkReply(LinkReply.Status.IN_PROGRESS, userId, null,
          "the other profile did not answer in time; the step is journaled and goes on: retry to see it done"));
    }
    if (reply.status() == LinkReply.Status.BUSY && l.step() == Step.TRANSFER && l.replyTo() == null) {
      // Nobody to tell to retry (answered when started, or resumed after a crash): the merge retries
      // itself, after a pause, until the other side takes it or refuses it.
      context.scheduleOnce(BUSY_RETRY, context.getSelf(), new OtherSideAnswered(null));
      return effect().noReply();
    }
    List<Event> done;
    if (reply.status() != LinkReply.Status.LINKED) done = List.of(new LinkCancelled(l.other(), reply.reason(), clock.instant()));
    else if (l.step() == Step.TRANSFER) done = writes.withSegmentChanges(state, List.of(new MergedInto(reply.canonical(), clock.instant())));
    else {
      // Journaled with the split in one write: no moment where it is split and not remembered.
      Instant now = clock.instant();
      done = writes.withSegmentChanges(state, List.of(new SplitOff(l.other(), l.keys(), l.kept(), l.released(), now), new LinkBlocked(l.keys(), now)));
    }
    EffectBuilder<Event, ProfileState> effect = writes.persist(done).thenRun(s -> linking = null);
    if (l.step() == Step.SPLIT && reply.status() == LinkReply.Status.LINKED) effect = effect.thenRun(s -> writes.requestPrediction(s, lastEventId(l.kept())));
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
}
