package dev.profileengine.engine.profiles;

import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import dev.profileengine.engine.EngineSettings;
import dev.profileengine.engine.HostedProfiles;
import dev.profileengine.engine.UserProfile;
import dev.profileengine.profile.ProfileView;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Where a profile read is answered: from the state this node hosts when the profile's entity lives
 * here (no message); NotFound at once when the journal certainly holds nothing for the user (no
 * entity started, no recovery: most ids a caller probes were never written); else by asking the
 * entity. Counts each read by where it was answered ({@code profile_reads_total{source}}). Asking an entity happens under the node's bound on reads
 * in flight: beyond it the read is refused at once ({@link Refusal.Reason#OVERLOADED}) instead of
 * queueing behind cold entities.
 */
final class ProfileReads {
  private final HostedProfiles hosted;
  private final ClusterSharding sharding;
  private final EngineSettings settings;
  private final ProfileMetrics metrics;
  private final InFlightLimit reads;
  private final Predicate<String> neverWritten;
  /** Bytes of rendered JSON the node keeps for reads ({@code profile.read-cache-heap-share} of the heap). */
  private final long jsonBudget;

  /** @param neverWritten true only for a user id nothing was stored or queued for before the call (see {@code KnownPersistenceIds}) */
  ProfileReads(HostedProfiles hosted, Predicate<String> neverWritten, ClusterSharding sharding, EngineSettings settings, ProfileMetrics metrics,
               InFlightLimit reads) {
    this.hosted = hosted;
    this.neverWritten = neverWritten;
    this.sharding = sharding;
    this.settings = settings;
    this.metrics = metrics;
    this.reads = reads;
    this.jsonBudget = settings.readCacheBudget(Runtime.getRuntime().maxMemory());
  }

  /**
   * The JSON ({@code render} of the view as of the latest event) of a profile hosted on this node,
   * rendered once per written state; null when it is not hosted here (then {@link #read}).
   */
  byte[] hostedJson(String userId, Function<ProfileView, byte[]> render) {
    byte[] json = hosted.latestJson(userId, settings.profile(), jsonBudget, render);
    if (json != null) metrics.profileRead(ProfileMetrics.ReadSource.HOSTED);
    return json;
  }

  /** The view as of {@code asOf} (null: the latest event): Ok, NotFound, or Refused (the read bound, or no answer in time). */
  CompletionStage<Outcome<ProfileView>> read(String userId, Instant asOf) {
    ProfileView view = hosted.view(userId, asOf, settings.profile());
    if (view != null) {
      metrics.profileRead(ProfileMetrics.ReadSource.HOSTED);
      return CompletableFuture.completedFuture(new Outcome.Ok<>(view));
    }
    // An id is added to the filter before its rows are queued, so before any write of it is
    // acknowledged: a read after an acknowledged write never lands here.
    if (neverWritten.test(userId)) {
      metrics.profileRead(ProfileMetrics.ReadSource.UNKNOWN);
      return CompletableFuture.completedFuture(new Outcome.NotFound<>());
    }
    if (!reads.tryAcquire(1)) {
      metrics.admissionRefused.labelValues(reads.name()).inc();
      return CompletableFuture.completedFuture(new Outcome.Refused<>(reads.refused(1)));
    }
    metrics.profileRead(ProfileMetrics.ReadSource.ENTITY);
    long start = System.nanoTime();
    CompletionStage<Optional<ProfileView>> reply;
    try {
      reply = sharding.entityRefFor(UserProfile.ENTITY_KEY, userId)
          .<UserProfile.ProfileReply>ask(r -> new UserProfile.GetProfile(asOf, r), settings.askTimeout())
          .thenApply(UserProfile.ProfileReply::profile);
    } catch (RuntimeException e) {
      reads.release(1, System.nanoTime() - start, false);
      throw e;
    }
    return Asks.timeoutRefused(reply.whenComplete((r, failure) -> reads.release(1, System.nanoTime() - start, failure == null))
        .thenApply(found -> found.<Outcome<ProfileView>>map(Outcome.Ok::new).orElseGet(Outcome.NotFound::new)));
  }
}
