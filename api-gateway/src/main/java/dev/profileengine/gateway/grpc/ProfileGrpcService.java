package dev.profileengine.gateway.grpc;

import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.grpc.GrpcServiceException;
import akka.grpc.javadsl.Metadata;
import akka.stream.javadsl.Source;
import dev.profileengine.engine.EngineSettings;
import dev.profileengine.engine.changes.ChangeFeed;
import dev.profileengine.gateway.ChangeJson;
import dev.profileengine.gateway.ChangeRoutes;
import dev.profileengine.gateway.ChangeSubscription;
import dev.profileengine.gateway.GatewayMetrics;
import dev.profileengine.gateway.IngestService;
import dev.profileengine.gateway.Json;
import dev.profileengine.gateway.ProfileReader;
import dev.profileengine.gateway.RequestChecks;
import dev.profileengine.gateway.SubscriberLimit;
import dev.profileengine.gateway.auth.AccessControl;
import dev.profileengine.gateway.auth.ApiKeys;
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
  private final ProfileReader reader;
  private final EngineSettings settings;
  private final int maxEventsPerRequest;

  private final GatewayMetrics metrics;
  private final ChangeSubscription.Limits changeLimits;
  private final java.util.concurrent.CompletionStage<akka.Done> stopping;
  private final SubscriberLimit subscribers;
  private final ActorSystem<?> system;

  public ProfileGrpcService(ActorSystem<?> system, IngestService ingest, ChangeFeed changes, AccessControl access,
                            EngineSettings settings, int maxEventsPerRequest, GatewayMetrics metrics, ChangeSubscription.Limits changeLimits,
                            ProfileReader reader, SubscriberLimit subscribers) {
    this.system = system;
    this.ingest = ingest;
    this.changes = changes;
    this.access = access;
    this.reader = reader;
    this.subscribers = subscribers;
    this.settings = settings;
    this.maxEventsPerRequest = maxEventsPerRequest;
    this.metrics = metrics;
    this.changeLimits = changeLimits;
    this.stopping = ChangeSubscription.stoppingSignal(system);
  }

  /**
   * The caller, allowed {@code scope}, having paid {@code cost} tokens of its rate. {@link GrpcGuard}
   * has checked the key before the message was read; this is the second line.
   */
  private ApiKeys.Caller authorize(Scope scope, Metadata metadata, long cost) {
    AccessControl.Decision d = access.check(scope, metadata.getText("authorization"), cost);
    if (d instanceof AccessControl.Decision.Denied no) throw new GrpcServiceException(status(no));
    return ((AccessControl.Decision.Allowed) d).caller();
  }

  /** The gRPC status of an access refusal. */
  static Status status(AccessControl.Decision.Denied no) {
    Status status = switch (no.reason()) {
      case "forbidden" -> Status.PERMISSION_DENIED;
      case "rate_limited" -> Status.RESOURCE_EXHAUSTED;
      default -> Status.UNAUTHENTICATED;
    };
    return status.withDescription(no.message());
  }

  private static <T> CompletionStage<T> failed(Throwable t) {
    return CompletableFuture.failedFuture(t);
  }

  @Override
  public CompletionStage<IngestReply> ingestEvents(IngestRequest in, Metadata metadata) {
    try {
      // The rate limit counts events: a batch of N pays N tokens.
      authorize(Scope.INGEST, metadata, Math.max(1, in.getEventsCount()));
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
   * is acknowledged, in order, once its user's entity has persisted it. Each group pays one token
   * per event of the key's rate limit, waiting (back-pressure, nothing buffered beyond the group)
   * until the key has them, and passes the node's admission bound as an HTTP batch does: when the
   * node is overloaded its events are answered {@code unconfirmed} with the reason, nothing stored.
   */
  @Override
  public Source<EventResult, NotUsed> streamEvents(Source<Event, NotUsed> in, Metadata metadata) {
    ApiKeys.Caller caller = authorize(Scope.INGEST, metadata, 0);
    return in.groupedWithin(STREAM_GROUP, java.time.Duration.ofMillis(5))
        .mapAsync(1, group -> paid(caller, group.size())
            .thenCompose(paid -> ingest.ingestDecoded(group.stream().map(EventProto::decode).toList())))
        .map(outcome -> {
          if (outcome.shed()) metrics.admissionRefused("events");
          return outcome;
        })
        .mapConcat(outcome -> outcome.results().stream().map(EventProto::result).toList());
  }

  /** Completes once {@code caller} has paid {@code events} tokens, waiting on the scheduler while its bucket refills. */
  private CompletionStage<akka.Done> paid(ApiKeys.Caller caller, int events) {
    long wait = access.chargeOrWait(caller, events);
    if (wait == 0) return CompletableFuture.completedFuture(akka.Done.getInstance());
    return akka.pattern.Patterns.after(java.time.Duration.ofNanos(wait), system, () -> paid(caller, events));
  }

  @Override
  public CompletionStage<Profile> getProfile(GetProfileRequest in, Metadata metadata) {
    Instant asOf;
    try {
      authorize(Scope.READ, metadata, 1);
      checked(() -> RequestChecks.id("user_id", in.getUserId()));
      asOf = checked(() -> RequestChecks.instant("as_of", in.getAsOf()));
    } catch (GrpcServiceException e) {
      return failed(e);
    }
    // The same read as HTTP's, under the node's read bound: refused is UNAVAILABLE (HTTP's 503).
    return reader.read(in.getUserId(), asOf).thenApply(read -> {
      if (read instanceof ProfileReader.Read.Refused refused) throw new GrpcServiceException(Status.UNAVAILABLE.withDescription(refused.reason()));
      return toProto(((ProfileReader.Read.Found) read).view().orElseThrow(() ->
          new GrpcServiceException(Status.NOT_FOUND.withDescription("no profile for user '" + in.getUserId() + "'"))));
    });
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
    ApiKeys.Caller caller = authorize(Scope.READ, metadata, 1);
    if (in.getFromOffset() < 0) throw new GrpcServiceException(Status.INVALID_ARGUMENT.withDescription("from_offset: must not be negative"));
    SubscriberLimit.tooManyUsers(in.getUserIdsCount()).ifPresent(message -> {
      throw new GrpcServiceException(Status.INVALID_ARGUMENT.withDescription("user_ids: " + message));
    });
    in.getUserIdsList().forEach(u -> checked(() -> RequestChecks.id("user_ids", u)));
    if (!in.getSegment().isEmpty()) checked(() -> RequestChecks.id("segment", in.getSegment()));
    String segment = in.getSegment();
    SubscriberLimit.Admission admission = subscribers.tryAcquire(caller.id());
    if (admission instanceof SubscriberLimit.Admission.Refused no) {
      throw new GrpcServiceException(Status.RESOURCE_EXHAUSTED.withDescription(no.refusal().limit() + ": " + no.refusal().message()));
    }
    SubscriberLimit.Permit permit = ((SubscriberLimit.Admission.Admitted) admission).permit();
    return permit.holding(ChangeSubscription.of(changes, in.getFromOffset(), new HashSet<>(in.getUserIdsList()),
            c -> segment.isEmpty() || ChangeRoutes.touches(c, segment), changeLimits, metrics, stopping)
        .map(item -> {
          if (item instanceof ChangeSubscription.Closed closed) {
            // The stream's close reason; the client resumes with from_offset = resume_from.
            throw new GrpcServiceException((closed.reason().startsWith("too_slow") ? Status.RESOURCE_EXHAUSTED : Status.UNAVAILABLE)
                .withDescription(closed.reason()));
          }
          return toProto(((ChangeSubscription.Change) item).change());
        }));
  }

  @SuppressWarnings("deprecation") // changes_json stays one version for older clients
  private static ProfileChange toProto(dev.profileengine.engine.changes.ChangeFeed.ProfileChanged c) {
    ProfileChange.Builder b = ProfileChange.newBuilder()
        .setOffset(c.offset())
        .setUserId(c.userId())
        .setAtMs(c.at().toEpochMilli())
        .setCause(c.cause())
        .addAllEventIds(c.eventIds())
        .setChangesJson(ChangeJson.changesJson(c.change()));
    GrpcChanges.fill(b, c.change());
    return b.build();
  }
}
