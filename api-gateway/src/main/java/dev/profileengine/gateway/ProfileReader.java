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
 * it was answered ({@code profile_reads_total{source}}).
 */
public final class ProfileReader {
  private final HostedProfiles hosted;
  private final ClusterSharding sharding;
  private final EngineSettings settings;
  private final GatewayMetrics metrics;

  public ProfileReader(ActorSystem<?> system, EngineSettings settings, GatewayMetrics metrics) {
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
}
