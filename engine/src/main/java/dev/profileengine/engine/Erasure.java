package dev.profileengine.engine;

import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.ActorContext;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import dev.profileengine.profile.BehaviorEvent;
import dev.profileengine.profile.EventResult;
import dev.profileengine.profile.ProfileState;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * A profile's erase-on-request protocol ({@link UserProfile.Forget}): waits for a due snapshot
 * write, withdraws the hosted state, erases through the {@link ProfileForgetter} (erasure log, then
 * journal rows and snapshots, leaving the {@link UserProfile.Forgotten} tombstone), answers every
 * caller waiting, then passivates the entity through its shard so that it recovers the tombstone.
 */
final class Erasure {
  private final ActorContext<UserProfile.Command> context;
  private final String userId;
  private final String persistenceId;
  private final Clock clock;
  private final int snapshotEvery;
  private final HostedProfiles hosted;
  private final ProfileForgetter forgetter; // null: this entity cannot forget
  private final ActorRef<ClusterSharding.ShardCommand> shard; // null: stop instead of passivating
  // The erasure is done and the entity is on its way out: a Forget still in the mailbox is answered done.
  private boolean forgotten;
  // While the profile's rows are being erased, writes are refused (retry) and reads see no profile.
  private boolean forgetting;
  // Callers of Forget waiting for a snapshot write or for the erasure in progress (made on the first Forget).
  private List<ActorRef<UserProfile.ForgetReply>> waiters;

  Erasure(ActorContext<UserProfile.Command> context, String userId, String persistenceId, Clock clock, int snapshotEvery,
          HostedProfiles hosted, ProfileForgetter forgetter, ActorRef<ClusterSharding.ShardCommand> shard) {
    this.context = context;
    this.userId = userId;
    this.persistenceId = persistenceId;
    this.clock = clock;
    this.snapshotEvery = snapshotEvery;
    this.hosted = hosted;
    this.forgetter = forgetter;
    this.shard = shard;
  }

  /** Whether the rows are being erased (or are gone and the entity is on its way out). */
  boolean inProgress() {
    return forgetting;
  }

  /** Whether a stop would lose the erasure: its rows are being erased, callers wait for the answer. */
  boolean busy() {
    return forgetting && !forgotten;
  }

  /** Whether the erasure is done. */
  boolean finished() {
    return forgotten;
  }

  /** Whether the journal holds anything of the user but a forget tombstone. */
  static boolean storesAnything(ProfileState state, long lastSeq) {
    return state.forgottenMillis() == 0 ? lastSeq > 0 : state.changedSinceForgotten();
  }

  /** The answer to a write while the rows are being erased: retry later. */
  static UserProfile.Recorded retryLater(List<BehaviorEvent> events) {
    return new UserProfile.Recorded(events.stream()
        .map(e -> new EventResult(e.eventId(), EventResult.UNCONFIRMED, "the profile is being forgotten: retry", null, null))
        .toList());
  }

  /** {@code replyTo} waits for the erasure in progress or about to start. */
  void await(ActorRef<UserProfile.ForgetReply> replyTo) {
    if (waiters == null) waiters = new ArrayList<>();
    waiters.add(replyTo);
  }

  /**
   * A Forget arrived (its caller waiting): starts erasing now, or once a due snapshot is settled.
   * {@code settledSeq}: the highest sequence number whose snapshot (if one was due) is known to be
   * written or failed (the entity's, see {@code UserProfile}): an erasure must not race a snapshot
   * write that would land after it.
   */
  void request(ActorRef<UserProfile.ForgetReply> replyTo, long lastSeq, long settledSeq) {
    await(replyTo);
    if (!snapshotDue(lastSeq, settledSeq)) start(lastSeq);
  }

  /** A snapshot write settled (up to {@code settledSeq}): a Forget waiting for it goes on. */
  void resumeAfterSnapshot(long lastSeq, long settledSeq) {
    if (forgetting || waiters == null || waiters.isEmpty() || snapshotDue(lastSeq, settledSeq)) return;
    start(lastSeq);
  }

  private void start(long lastSeq) {
    forgetting = true;
    hosted.withdraw(userId);
    context.getLog().info("Forgetting user {}", userId);
    // The tombstone takes the next sequence number: nothing is journaled while forgetting.
    UserProfile.Forgotten tombstone = new UserProfile.Forgotten(clock.instant());
    context.pipeToSelf(forgetter.forget(userId, persistenceId, tombstone, lastSeq + 1),
        (erased, failure) -> failure == null ? new UserProfile.ForgetDone(erased) : new UserProfile.ForgetFailed(failure.toString()));
  }

  /**
   * The rows are gone: answers the waiting callers and passivates the entity through its shard.
   * Returns true when there is no shard and the entity must stop by itself.
   */
  boolean erased(JournalEraser.Erased erased) {
    context.getLog().info("Forgot user {}: {} journal rows and {} snapshots removed", userId, erased.events(), erased.snapshots());
    answer(new UserProfile.ForgetReply(true, erased.events(), erased.snapshots(), null));
    // The in-memory state is stale now: stop, so the next message recovers the tombstone alone
    // from the journal. Through the shard: it holds messages for the profile until the entity has
    // stopped and hands them to the next incarnation (a plain stop loses those sent meanwhile).
    // Until then, writes still in the mailbox are asked to retry.
    forgotten = true;
    if (shard == null) return true;
    shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
    return false;
  }

  /** The erasure failed: the profile is unchanged and serving again. */
  void failed(ProfileState state, String reason) {
    forgetting = false;
    hosted.publish(userId, state);
    context.getLog().warn("Forgetting user {} failed, the profile is unchanged: {}", userId, reason);
    answer(new UserProfile.ForgetReply(true, 0, 0, reason));
  }

  private void answer(UserProfile.ForgetReply reply) {
    if (waiters == null) return;
    waiters.forEach(w -> w.tell(reply));
    waiters.clear();
  }

  /** A snapshot was due at or before {@code lastSeq} and has not been written yet (settled up to {@code settledSeq}). */
  private boolean snapshotDue(long lastSeq, long settledSeq) {
    long every = snapshotEvery;
    return (lastSeq / every) * every > settledSeq;
  }
}
