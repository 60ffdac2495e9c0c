package dev.profileengine.gateway.grpc;

import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.grpc.GrpcServiceException;
import dev.profileengine.gateway.ChangeRoutes;
import dev.profileengine.gateway.ChangeSubscription;
import dev.profileengine.gateway.GatewayMetrics;
import akka.grpc.javadsl.Metadata;
import akka.stream.javadsl.Source;
import dev.profileengine.engine.ChangeFeed;
import dev.profileengine.engine.EngineSettings;
import dev.profileengine.gateway.IngestService;
import dev.profileengine.gateway.Json;
import dev.profileengine.gateway.RequestChecks;
import dev.profileengine.gateway.auth.AccessControl;
import dev.profileengine.gateway.auth.Scope;
import dev.profileengine.grpc.Event;
import dev.profileengine.grpc.EventResult;
import dev.profileengine.grpc.GetProfileRequest;
import dev.profileengine.grpc.IngestReply;
import dev.profileengine.grpc.IngestRequest;
import dev.profileengine.grpc.Profile;
import dev.profileengine.grpc.ProfileChange;
import dev.profileengine.grpc.ProfileServicePowerApi;
import dev.profileengine.grpc.SubscribeRequest;
import dev.profileengine.profile.ProfileView;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The gRPC API over the same services as HTTP: ingest (unary and streaming), profile reads and the
 * resumable change stream. API keys come as {@code authorization: Bearer <key>} metadata.
 */
public final class ProfileGrpcService implements ProfileServicePowerApi {
  /** Events acknowledged per streamed group: small groups keep acknowledgements prompt. */
  private static final int STREAM_GROUP = 100;

  private final IngestService ingest;
  private final ChangeFeed changes;
  private final AccessControl access;
  private final dev.profileengine.gateway.ProfileReader reader;
  private final EngineSettings settings;
  private final int maxEventsPerRequest;

  private final GatewayMetrics metrics;
  private final ChangeSubscription.Limits changeLimits;
  private final java.util.concurrent.CompletionStage<akka.Done> stopping;

  public ProfileGrpcService(ActorSystem<?> system, IngestService ingest, ChangeFeed changes, AccessControl access,
                            EngineSettings settings, int maxEventsPerRequest, GatewayMetrics metrics, ChangeSubscription.Limits changeLimits) {
    this.ingest = ingest;
    this.changes = changes;
    this.access = access;
    this.reader = new dev.profileengine.gateway.ProfileReader(system, settings, metrics);
    this.settings = settings;
    this.maxEventsPerRequest = maxEventsPerRequest;
    this.metrics = metrics;
    this.changeLimits = changeLimits;
    this.stopping = ChangeSubscription.stoppingSignal(system);
  }

  private void authorize(Scope scope, Metadata metadata) {
    AccessControl.Decision d = access.check(scope, metadata.getText("authorization"));
    if (d instanceof AccessControl.Decision.Denied no) {
      Status status = switch (no.reason()) {
        case "forbidden" -> Status.PERMISSION_DENIED;
        case "rate_limited" -> Status.RESOURCE_EXHAUSTED;
        default -> Status.UNAUTHENTICATED;
      };
      throw new GrpcServiceException(status.withDescription(no.message()));
    }
  }

  private static <T> CompletionStage<T> failed(Throwable t) {
    return CompletableFuture.failedFuture(t);
  }

  @Override
  public CompletionStage<IngestReply> ingestEvents(IngestRequest in, Metadata metadata) {
    try {
      authorize(Scope.INGEST, metadata);
    } catch (GrpcServiceException e) {
      return failed(e);
    }
    if (in.getEventsCount() > maxEventsPerRequest) {
      return failed(new GrpcServiceException(Status.INVALID_ARGUMENT.withDescription(
          "events: batch of " + in.getEventsCount() + " exceeds the limit of " + maxEventsPerRequest + " per request")));
    }
    return ingest.ingestDecoded(in.getEventsList().stream().map(EventProto::decode).toList()).thenApply(outcome -> {
      IngestReply.Builder reply = IngestReply.newBuilder()
          .setAccepted(outcome.count(dev.profileengine.profile.EventResult.ACCEPTED))
          .setDuplicates(outcome.count(dev.profileengine.profile.EventResult.DUPLICATE))
          .setRejected(outcome.count(dev.profileengine.profile.EventResult.REJECTED))
          .setUnconfirmed(outcome.count(IngestService.UNCONFIRMED));
      outcome.results().forEach(r -> reply.addResults(EventProto.result(r)));
      return reply.build();
    });
  }

  /**
   * Events are taken in small groups as they arrive (back-pressured by the durable writes) and each
   * is acknowledged, in order, once its user's entity has persisted it.
   */
  @Override
  public Source<EventResult, NotUsed> streamEvents(Source<Event, NotUsed> in, Metadata metadata) {
    authorize(Scope.INGEST, metadata);
    return in.groupedWithin(STREAM_GROUP, java.time.Duration.ofMillis(5))
        .mapAsync(1, group -> ingest.ingestDecoded(group.stream().map(EventProto::decode).toList(), false))
        .mapConcat(outcome -> outcome.results().stream().map(EventProto::result).toList());
  }

  @Override
  public CompletionStage<Profile> getProfile(GetProfileRequest in, Metadata metadata) {
    Instant asOf;
    try {
      authorize(Scope.READ, metadata);
      checked(() -> RequestChecks.id("user_id", in.getUserId()));
      asOf = checked(() -> RequestChecks.instant("as_of", in.getAsOf()));
    } catch (GrpcServiceException e) {
      return failed(e);
    }
    dev.profileengine.profile.ProfileView hostedView = reader.hosted(in.getUserId(), asOf);
    CompletionStage<java.util.Optional<dev.profileengine.profile.ProfileView>> profile = hostedView != null
        ? java.util.concurrent.CompletableFuture.completedFuture(java.util.Optional.of(hostedView))
        : reader.fromEntity(in.getUserId(), asOf);
    return profile
        .thenApply(view -> toProto(view.orElseThrow(() ->
            new GrpcServiceException(Status.NOT_FOUND.withDescription("no profile for user '" + in.getUserId() + "'")))));
  }

  /** The shared checks' refusal as INVALID_ARGUMENT, "field: reason" like HTTP's 400. */
  private static <T> T checked(java.util.function.Supplier<T> check) {
    try {
      return check.get();
    } catch (RequestChecks.Invalid e) {
      throw new GrpcServiceException(Status.INVALID_ARGUMENT.withDescription(e.field() + ": " + e.getMessage()));
    }
  }


  private static Profile toProto(ProfileView v) {
    Profile.Builder b = Profile.newBuilder()
        .setUserId(v.userId())
        .setEventCount(v.eventCount())
        .setProfileJson(new String(Json.bytes(v), StandardCharsets.UTF_8));
    if (v.lastEventTime() != null) b.setLastEventTimeMs(v.lastEventTime().toEpochMilli());
    Map<String, Long> lifetime = v.counts().get("lifetime");
    if (lifetime != null) b.putAllLifetimeCounts(lifetime);
    if (v.churn() != null) b.setChurnRisk(v.churn().risk());
    b.addAllSegments(v.segments());
    v.flags().forEach(f -> b.addFlags(f.name()));
    return b.build();
  }

  @Override
  public Source<ProfileChange, NotUsed> subscribeProfileChanges(SubscribeRequest in, Metadata metadata) {
    authorize(Scope.READ, metadata);
    if (in.getFromOffset() < 0) throw new GrpcServiceException(Status.INVALID_ARGUMENT.withDescription("from_offset: must not be negative"));
    in.getUserIdsList().forEach(u -> checked(() -> RequestChecks.id("user_ids", u)));
    if (!in.getSegment().isEmpty()) checked(() -> RequestChecks.id("segment", in.getSegment()));
    String segment = in.getSegment();
    return ChangeSubscription.of(changes, in.getFromOffset(), new HashSet<>(in.getUserIdsList()),
            c -> segment.isEmpty() || ChangeRoutes.touches(c, segment), changeLimits, metrics, stopping)
        .map(item -> {
          if (item instanceof ChangeSubscription.Closed closed) {
            // The stream's close reason; the client resumes with from_offset = resume_from.
            throw new GrpcServiceException((closed.reason().startsWith("too_slow") ? Status.RESOURCE_EXHAUSTED : Status.UNAVAILABLE)
                .withDescription(closed.reason()));
          }
          return toProto(((ChangeSubscription.Change) item).change());
        });
  }

  private static ProfileChange toProto(dev.profileengine.engine.ChangeFeed.ProfileChanged c) {
    return ProfileChange.newBuilder()
        .setOffset(c.offset())
        .setUserId(c.userId())
        .setAtMs(c.at().toEpochMilli())
        .setCause(c.cause())
        .addAllEventIds(c.eventIds())
        .setChangesJson(new String(Json.bytes(c.changes()), StandardCharsets.UTF_8))
        .build();
  }
}
