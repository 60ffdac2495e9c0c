package dev.profileengine.gateway;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import dev.profileengine.engine.EngineSettings;
import dev.profileengine.engine.HostedProfiles;
import dev.profileengine.engine.UserProfile;
import dev.profileengine.profile.ProfileView;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Where a profile read (HTTP or gRPC) is answered: from the state this node hosts when the
 * profile's entity lives here (no message), else by asking the entity. Counts each read by where
 * it was answered ({@code profile_reads_total{source}}). Asking an entity happens under the node's
 * bound on reads in flight ({@link #read}): beyond it the read is refused at once (HTTP 503,
 * gRPC UNAVAILABLE) instead of queueing behind cold entities.
 */
public final class ProfileReader {
  private final HostedProfiles hosted;
  private final ClusterSharding sharding;
  private final EngineSettings settings;
  private final GatewayMetrics metrics;
  private final InFlightLimit reads;

  /** What a read found, or why it was refused (the node's read bound: retry later). */
  public sealed interface Read {
    record Found(Optional<ProfileView> view) implements Read {}

    record Refused(String reason) implements Read {}
  }

  public ProfileReader(ActorSystem<?> system, EngineSettings settings, GatewayMetrics metrics, InFlightLimit reads) {
    this.reads = reads;
    this.hosted = HostedProfiles.get(system);
    this.sharding = ClusterSharding.get(system);
    this.settings = settings;
    this.metrics = metrics;
  }

  /** The view as of {@code asOf} (null: the latest event) from the state hosted here, or null: ask {@link #fromEntity}. */
  public ProfileView hosted(String userId, Instant asOf) {
    ProfileView view = hosted.view(userId, asOf, settings.profile());
    if (view != null) metrics.profileRead(true);
    return view;
  }

  /** The view as the entity answers it (empty when the user is unknown). */
  public CompletionStage<Optional<ProfileView>> fromEntity(String userId, Instant asOf) {
    metrics.profileRead(false);
    return sharding.entityRefFor(UserProfile.ENTITY_KEY, userId)
        .<UserProfile.ProfileReply>ask(r -> new UserProfile.GetProfile(asOf, r), settings.askTimeout())
        .thenApply(UserProfile.ProfileReply::profile);
  }

  /** The view from the state hosted here, else from the entity under the node's bound on reads in flight. */
  public CompletionStage<Read> read(String userId, Instant asOf) {
    ProfileView view = hosted(userId, asOf);
    if (view != null) return java.util.concurrent.CompletableFuture.completedFuture(new Read.Found(Optional.of(view)));
    if (!reads.tryAcquire(1)) {
      metrics.admissionRefused.labelValues("reads").inc();
      return java.util.concurrent.CompletableFuture.completedFuture(new Read.Refused(reads.refusal(1)));
    }
    long start = System.nanoTime();
    CompletionStage<Optional<ProfileView>> reply;
    try {
      reply = fromEntity(userId, asOf);
    } catch (RuntimeException e) {
      reads.release(1, System.nanoTime() - start, false);
      throw e;
    }
    return reply.whenComplete((r, failure) -> reads.release(1, System.nanoTime() - start, failure == null))
        .thenApply(Read.Found::new);
  }
}
