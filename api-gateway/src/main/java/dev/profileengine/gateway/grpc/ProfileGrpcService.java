package dev.profileengine.gateway.grpc;

import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.grpc.GrpcServiceException;
import akka.grpc.javadsl.Metadata;
import akka.stream.javadsl.Source;
import dev.profileengine.engine.profiles.ChangeSubscription;
import dev.profileengine.engine.profiles.Linked;
import dev.profileengine.engine.profiles.Outcome;
import dev.profileengine.engine.profiles.Profiles;
import dev.profileengine.engine.profiles.Recorded;
import dev.profileengine.gateway.auth.AccessControl;
import dev.profileengine.gateway.auth.ApiKeys;
import dev.profileengine.gateway.auth.Scope;
import dev.profileengine.gateway.wire.ChangeJson;
import dev.profileengine.gateway.wire.IdentityWire;
import dev.profileengine.gateway.wire.Json;
import dev.profileengine.gateway.wire.RequestChecks;
import dev.profileengine.grpc.Event;
import dev.profileengine.grpc.EventResult;
import dev.profileengine.grpc.GetProfileRequest;
import dev.profileengine.grpc.IdentifyRequest;
import dev.profileengine.grpc.IdentityValues;
import dev.profileengine.grpc.IngestReply;
import dev.profileengine.grpc.IngestRequest;
import dev.profileengine.grpc.LinkedIdentities;
import dev.profileengine.grpc.Profile;
import dev.profileengine.grpc.ProfileChange;
import dev.profileengine.grpc.ProfileServicePowerApi;
import dev.profileengine.grpc.SubscribeRequest;
import dev.profileengine.grpc.UnmergeRequest;
import dev.profileengine.profile.FieldError;
import dev.profileengine.profile.ProfileView;
import dev.profileengine.profile.identity.IdentityClaim;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The gRPC API, a thin adapter over {@link Profiles} as HTTP is: ingest (unary and streaming),
 * profile reads, identity links and the resumable change stream. {@link GrpcGuard} has authenticated the API key
 * ({@code authorization: Bearer <key>} metadata) and attached the caller ({@link GrpcCaller}); this
 * charges the caller's rate, checks the message, calls the facade and maps its outcome to a status.
 */
public final class ProfileGrpcService implements ProfileServicePowerApi {
  /** Events acknowledged per streamed group: small groups keep acknowledgements prompt. */
  private static final int STREAM_GROUP = 100;

  private final Profiles profiles;
  private final AccessControl access;
  private final int maxEventsPerRequest;
  private final ActorSystem<?> system;

  public ProfileGrpcService(ActorSystem<?> system, Profiles profiles, AccessControl access, int maxEventsPerRequest) {
    this.system = system;
    this.profiles = profiles;
    this.access = access;
    this.maxEventsPerRequest = maxEventsPerRequest;
  }

  /** The caller the guard authenticated for {@code scope}, having paid {@code cost} tokens of its rate. */
  private ApiKeys.Caller authorize(Scope scope, Metadata metadata, long cost) {
    ApiKeys.Caller caller = GrpcCaller.of(metadata, scope);
    if (access.charge(caller, cost) instanceof AccessControl.Decision.Denied no) throw new GrpcServiceException(GrpcStatus.of(no));
    return caller;
  }

  private static <T> CompletionStage<T> failed(Throwable t) {
    return CompletableFuture.failedFuture(t);
  }

  @Override
  public CompletionStage<IngestReply> ingestEvents(IngestRequest in, Metadata metadata) {
    // Refused before it is charged, as HTTP's 413 is: a batch that stores nothing costs no tokens.
    if (in.getEventsCount() > maxEventsPerRequest) {
      return failed(new GrpcServiceException(Status.INVALID_ARGUMENT.withDescription(
          "events: batch of " + in.getEventsCount() + " exceeds the limit of " + maxEventsPerRequest + " per request")));
    }
    ApiKeys.Caller caller;
    try {
      // The rate limit counts events: a batch of N pays N tokens.
      caller = authorize(Scope.INGEST, metadata, Math.max(1, in.getEventsCount()));
    } catch (GrpcServiceException e) {
      return failed(e);
    }
    // A batch shed by admission control is answered as HTTP's 503 body is: every valid event unconfirmed with the reason.
    return profiles.record(caller.capKey(), in.getEventsList().stream().map(e -> EventProto.decode(e, profiles::resolveIdentities)).toList())
        .thenApply(ProfileGrpcService::reply);
  }

  private static IngestReply reply(Recorded recorded) {
    IngestReply.Builder reply = IngestReply.newBuilder()
        .setAccepted(recorded.count(dev.profileengine.profile.EventResult.ACCEPTED))
        .setDuplicates(recorded.count(dev.profileengine.profile.EventResult.DUPLICATE))
        .setRejected(recorded.count(dev.profileengine.profile.EventResult.REJECTED))
        .setUnconfirmed(recorded.count(dev.profileengine.profile.EventResult.UNCONFIRMED));
    recorded.results().forEach(r -> reply.addResults(EventProto.result(r)));
    return reply.build();
  }

  /**
   * Events are taken in small groups as they arrive (back-pressured by the durable writes) and each
   * is acknowledged, in order, once its user's entity has persisted it. Each group pays one token
   * per event of the key's rate limit, waiting (back-pressure, nothing buffered beyond the group)
   * until the key has them, and is recorded as an HTTP batch is: when the node is overloaded its
   * events are answered {@code unconfirmed} with the reason, nothing stored.
   */
  @Override
  public Source<EventResult, NotUsed> streamEvents(Source<Event, NotUsed> in, Metadata metadata) {
    ApiKeys.Caller caller = authorize(Scope.INGEST, metadata, 0);
    return in.groupedWithin(STREAM_GROUP, java.time.Duration.ofMillis(5))
        .mapAsync(1, group -> paid(caller, group.size())
            .thenCompose(paid -> profiles.record(caller.capKey(), group.stream().map(e -> EventProto.decode(e, profiles::resolveIdentities)).toList())))
        .mapConcat(recorded -> recorded.results().stream().map(EventProto::result).toList());
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
    String key;
    try {
      // The request's own checks first: a refused request costs no tokens.
      String identity = in.getIdentity().isEmpty() ? null : in.getIdentity();
      if (identity == null || !in.getUserId().isEmpty()) profileId("user_id", in.getUserId());
      asOf = checked(() -> RequestChecks.instant("as_of", in.getAsOf()));
      authorize(Scope.READ, metadata, 1);
      key = value(profiles.profileKey(in.getUserId(), identity));
    } catch (GrpcServiceException e) {
      return failed(e);
    }
    return profiles.view(key, asOf).thenApply(read -> {
      if (read instanceof Outcome.Ok<ProfileView> found) return toProto(found.value());
      if (read instanceof Outcome.Refused<ProfileView> no) throw new GrpcServiceException(GrpcStatus.of(no.refusal()));
      throw new GrpcServiceException(Status.NOT_FOUND.withDescription("no profile for user '" + key + "'"));
    });
  }

  /** Links the request's identities into one canonical profile (the facade's identify). */
  @Override
  public CompletionStage<LinkedIdentities> identify(IdentifyRequest in, Metadata metadata) {
    IdentityClaim claim;
    try {
      claim = claim(in.getUserId(), in.getAnonymousId(), in.getIdentitiesMap());
      authorize(Scope.INGEST, metadata, 1);
    } catch (GrpcServiceException e) {
      return failed(e);
    }
    return profiles.identify(claim).thenApply(linked -> linked(linked, claim));
  }

  /** Splits the request's identities off the profile of {@code profile_id} (the facade's unmerge). */
  @Override
  public CompletionStage<LinkedIdentities> unmerge(UnmergeRequest in, Metadata metadata) {
    IdentityClaim claim;
    try {
      profileId("profile_id", in.getProfileId());
      claim = claim(in.getUserId(), in.getAnonymousId(), in.getIdentitiesMap());
      authorize(Scope.INGEST, metadata, 1);
    } catch (GrpcServiceException e) {
      return failed(e);
    }
    return profiles.unmerge(in.getProfileId(), claim).thenApply(linked -> linked(linked, claim));
  }

  /** A profile id a request names, checked as HTTP checks a path's (by the facade). */
  private void profileId(String field, String id) {
    var invalid = profiles.invalidProfileId(field, id);
    if (invalid.isPresent()) throw new GrpcServiceException(GrpcStatus.of(invalid.get()));
  }

  private static IdentityClaim claim(String userId, String anonymousId, Map<String, String> identities) {
    FieldError bad = IdentityWire.typeNames(identities.keySet());
    if (bad != null) throw new GrpcServiceException(Status.INVALID_ARGUMENT.withDescription(bad.field() + ": " + bad.reason()));
    return new IdentityClaim(userId.isEmpty() ? null : userId, anonymousId.isEmpty() ? null : anonymousId, identities);
  }

  private static LinkedIdentities linked(Outcome<Linked> outcome, IdentityClaim claim) {
    if (outcome instanceof Outcome.Ok<Linked> ok) {
      LinkedIdentities.Builder b = LinkedIdentities.newBuilder().setUserId(ok.value().canonical());
      ok.value().identities().forEach((type, values) -> b.putIdentities(type, IdentityValues.newBuilder().addAllValues(values).build()));
      return b.build();
    }
    if (outcome instanceof Outcome.Refused<Linked> no) throw new GrpcServiceException(GrpcStatus.of(no.refusal()));
    throw new GrpcServiceException(Status.NOT_FOUND.withDescription(IdentityWire.field(claim) + ": " + IdentityWire.named(claim)
        + " is not linked to this profile"));
  }

  /** The value of a synchronous outcome, or its refusal as a status. */
  private static <T> T value(Outcome<T> outcome) {
    if (outcome instanceof Outcome.Ok<T> ok) return ok.value();
    if (outcome instanceof Outcome.Refused<T> no) throw new GrpcServiceException(GrpcStatus.of(no.refusal()));
    throw new GrpcServiceException(Status.NOT_FOUND);
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
    if (v.identities() != null) v.identities().forEach((type, values) -> b.putIdentities(type, IdentityValues.newBuilder().addAllValues(values).build()));
    return b.build();
  }

  @Override
  public Source<ProfileChange, NotUsed> subscribeProfileChanges(SubscribeRequest in, Metadata metadata) {
    if (in.getFromOffset() < 0) throw new GrpcServiceException(Status.INVALID_ARGUMENT.withDescription("from_offset: must not be negative"));
    if (in.getFromLatest() && in.getFromOffset() != 0) {
      throw new GrpcServiceException(Status.INVALID_ARGUMENT.withDescription("from_latest: cannot be combined with a from_offset"));
    }
    ChangeSubscription.tooManyUsers(in.getUserIdsCount()).ifPresent(message -> {
      throw new GrpcServiceException(Status.INVALID_ARGUMENT.withDescription("user_ids: " + message));
    });
    in.getUserIdsList().forEach(u -> checked(() -> RequestChecks.id("user_ids", u)));
    if (!in.getSegment().isEmpty()) checked(() -> RequestChecks.id("segment", in.getSegment()));
    Optional<String> segment = in.getSegment().isEmpty() ? Optional.empty() : Optional.of(in.getSegment());
    ApiKeys.Caller caller = authorize(Scope.READ, metadata, 1); // after the checks: a refused request costs no tokens
    return changes(caller, in.getFromLatest() ? OptionalLong.empty() : OptionalLong.of(in.getFromOffset()), in, segment);
  }

  private Source<ProfileChange, NotUsed> changes(ApiKeys.Caller caller, OptionalLong from, SubscribeRequest in, Optional<String> segment) {
    return Source.completionStageSource(profiles.subscribeFrom("from_offset", caller.capKey(), from, new HashSet<>(in.getUserIdsList()), segment)
            .thenApply(ProfileGrpcService::changes))
        .mapMaterializedValue(m -> NotUsed.getInstance());
  }

  private static Source<ProfileChange, NotUsed> changes(Outcome<Source<ChangeSubscription.Item, NotUsed>> subscribed) {
    if (subscribed instanceof Outcome.Refused<Source<ChangeSubscription.Item, NotUsed>> no) {
      return Source.failed(new GrpcServiceException(GrpcStatus.of(no.refusal())));
    }
    return ((Outcome.Ok<Source<ChangeSubscription.Item, NotUsed>>) subscribed).value()
        .map(item -> {
          if (item instanceof ChangeSubscription.Closed closed) {
            // The stream's close reason; the client resumes with from_offset = resume_from.
            throw new GrpcServiceException((closed.reason().startsWith("too_slow") ? Status.RESOURCE_EXHAUSTED : Status.UNAVAILABLE)
                .withDescription(closed.reason()));
          }
          return toProto(((ChangeSubscription.Change) item).change());
        })
        // A subscriber that took not even the close: its status, should it ever read again (no ERROR line).
        .mapError(new akka.japi.pf.PFBuilder<Throwable, Throwable>()
            .match(ChangeSubscription.CloseNotTaken.class, e -> new GrpcServiceException(Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage())))
            .build())
        // Read, deserialized and rendered on the change streams' threads, not the requests' (ChangeSubscription.DISPATCHER).
        .async(ChangeSubscription.DISPATCHER);
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
