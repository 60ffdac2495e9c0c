package dev.profileengine.engine;

import akka.Done;
import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * Forgets a user for {@link UserProfile}: first records the erasure in the {@link ErasureLog} (so
 * the {@code forgotten} notification is never missing once data is gone; a failed erasure is
 * retried and notified again), then removes every journal row and snapshot of the profile, leaving
 * only the profile's tombstone.
 */
public final class ProfileForgetter {
  private final ClusterSharding sharding;
  private final JournalEraser eraser;
  private final Duration timeout;

  public ProfileForgetter(ActorSystem<?> system, Duration timeout) {
    this.sharding = ClusterSharding.get(system);
    this.eraser = new JournalEraser(system);
    this.timeout = timeout;
  }

  /** Erases {@code persistenceId} and leaves {@code tombstone} alone at {@code tombstoneSeq}. */
  public CompletionStage<JournalEraser.Erased> forget(String userId, String persistenceId, UserProfile.Forgotten tombstone, long tombstoneSeq) {
    return sharding.entityRefFor(ErasureLog.ENTITY_KEY, ErasureLog.bucketOf(userId))
        .<Done>ask(r -> new ErasureLog.RecordForgotten(userId, tombstone.at(), r), timeout)
        .thenCompose(done -> eraser.erase(persistenceId, tombstone, tombstoneSeq));
  }
}
