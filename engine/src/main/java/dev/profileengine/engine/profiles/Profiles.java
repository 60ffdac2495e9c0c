package dev.profileengine.engine.profiles;

import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import akka.stream.javadsl.Source;
import dev.profileengine.engine.EngineSettings;
import dev.profileengine.engine.HostedProfiles;
import dev.profileengine.engine.UserProfile;
import dev.profileengine.engine.changes.ChangeFeed;
import dev.profileengine.engine.journal.KnownPersistenceIds;
import dev.profileengine.engine.model.ModelService;
import dev.profileengine.engine.model.ProfileRecommendations;
import dev.profileengine.engine.privacy.ProfileExport;
import dev.profileengine.model.recommend.Popularity;
import dev.profileengine.model.registry.ModelRegistry;
import dev.profileengine.profile.AttributeLimits;
import dev.profileengine.profile.Consent;
import dev.profileengine.profile.EventValidation;
import dev.profileengine.profile.ProfileView;
import dev.profileengine.profile.Identity;
import dev.profileengine.profile.TextChecks;
import dev.profileengine.profile.identity.IdentityClaim;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;

/**
 * The one way into the profiles, whatever the protocol: record events, view a profile (as of an
 * instant), its recommendations, set attributes or consent, forget, export, subscribe to changes.
 * It owns what must not differ between HTTP and gRPC: the ask timeouts, admission (events and reads
 * in flight), the hosted-or-entity read, the subscriber caps and the metrics they count. Results
 * are typed ({@link Outcome}, {@link Refusal}); the protocol adapters decode the wire, check the
 * caller, call one method and map its result to their status codes.
 */
public final class Profiles {
  private final ClusterSharding sharding;
  private final EngineSettings settings;
  private final ProfileMetrics metrics = new ProfileMetrics();
  private final EventIngest ingest;
  private final ProfileReads reads;
  private final ProfileExport exporter;
  private final ChangeFeed feed;
  private final SubscriberLimit subscribers;
  private final ChangeSubscription.Limits streamLimits;
  private final ChangeSubscription.Stopping stopping;
  private final Optional<ModelService> models;
  private final EngineSettings.Recommendations recommendations;
  private final InFlightLimit eventLimit;
  private final InFlightLimit readLimit;
  private final ShardOwners shardOwners;
  private final IdentityGraph identities;
  private final FairDispatch dispatch;

  /**
   * What bounds the facade's work, from the node's settings.
   *
   * @param events bound on events handed to entities and not yet answered
   * @param reads bound on profile reads asked of entities and not yet answered
   * @param dispatchWindow events of ingest requests handed to entities at once, callers taking turns (0: all at once)
   */
  public record Limits(InFlightLimit events, InFlightLimit reads, int dispatchWindow, SubscriberLimit.Caps subscribers,
                       ChangeSubscription.Limits stream) {}

  public Profiles(ActorSystem<?> system, EngineSettings settings, Optional<ModelService> models, EngineSettings.Recommendations recommendations,
                  Limits limits) {
    this.sharding = ClusterSharding.get(system);
    this.settings = settings;
    this.models = models;
    this.recommendations = recommendations;
    this.eventLimit = limits.events();
    this.readLimit = limits.reads();
    Predicate<String> neverWritten = neverWritten(system, settings);
    this.identities = new IdentityGraph(sharding, settings, system.executionContext(), metrics, neverWritten,
        new RecentLinks(system, metrics.identityLinkCacheClears));
    this.dispatch = new FairDispatch(limits.dispatchWindow(), system.executionContext());
    this.ingest = new EventIngest(sharding, system.executionContext(), settings, Clock.systemUTC(), limits.events(), dispatch, metrics, identities);
    this.reads = new ProfileReads(HostedProfiles.get(system), neverWritten, sharding, settings, metrics, limits.reads());
    this.exporter = new ProfileExport(system, settings.askTimeout());
    this.feed = ChangeFeed.get(system);
    this.subscribers = new SubscriberLimit(limits.subscribers(), metrics, system);
    this.streamLimits = limits.stream();
    this.stopping = ChangeSubscription.Stopping.onShutdownOf(system);
    this.shardOwners = new ShardOwners(system, settings.askTimeout());
  }

  /** Links the claim's identities into one canonical profile (merging the profiles they belong to); Refused CONFLICT when the rules forbid it. */
  public CompletionStage<Outcome<Linked>> identify(IdentityClaim claim) {
    return identities.identify(claim);
  }

  /**
   * The identities a claim names, their values checked and hashed for personal types, or the fields
   * that are wrong (for protocols that decode identities sent with an event).
   */
  public IdentityClaim.Resolved resolveIdentities(IdentityClaim claim) {
    return identities.resolved(claim);
  }

  /**
   * Splits the claim's identities (each with the identities and events that came with it) off the
   * profile {@code profileKey} belongs to; NotFound when an identity is not linked to it.
   */
  public CompletionStage<Outcome<Linked>> unmerge(String profileKey, IdentityClaim claim) {
    return identities.unmerge(profileKey, claim);
  }

  /**
   * Refused INVALID naming {@code field} when {@code id}, a profile id a request names (a path, a
   * gRPC field), is not one: a user id (1 to 128 characters, no control characters, valid Unicode),
   * or a key an identity could have on this node ({@code ~type:value}: a known type, a value, a
   * personal value hashed); any other {@code ~} id would store or read a profile no identity leads
   * to. Empty when it is fine. The one check HTTP paths and gRPC fields share.
   */
  public Optional<Refusal> invalidProfileId(String field, String id) {
    String problem = profileIdProblem(id);
    return problem == null ? Optional.empty() : Optional.of(new Refusal(Refusal.Reason.INVALID, field, problem, 0));
  }

  private String profileIdProblem(String id) {
    boolean key = id != null && id.startsWith(Identity.TYPED_PREFIX) && id.length() <= EventValidation.MAX_KEY_LENGTH;
    String bad = TextChecks.requiredDecoded(id, key ? EventValidation.MAX_KEY_LENGTH : EventValidation.MAX_ID_LENGTH);
    if (bad != null || !key) return bad;
    return settings.identity().keyProblem(id);
  }

  /**
   * The profile key a read names: {@code id} itself (a user id, or a key {@code ~type:value}), or
   * with {@code identity} ({@code type:value}, e.g. {@code email:ann@example.com}) the key of that
   * identity, its value hashed when the type is personal data. Refused INVALID naming
   * {@code identity} when it cannot be read.
   */
  public Outcome<String> profileKey(String id, String identity) {
    if (identity == null) return new Outcome.Ok<>(id);
    // A query's percent-encoded bytes that are not UTF-8 arrive as U+FFFD.
    if (dev.profileengine.profile.TextChecks.hasReplacementCharacter(identity))
      return Outcome.refused(Refusal.Reason.INVALID, "identity", dev.profileengine.profile.TextChecks.NOT_UTF8, 0);
    int colon = identity.indexOf(':');
    if (colon <= 0)
      return Outcome.refused(Refusal.Reason.INVALID, "identity", "identity must be type:value, e.g. email:ann@example.com", 0);
    String type = identity.substring(0, colon);
    String value = identity.substring(colon + 1);
    // Checked before the type is named in any answer (a query string may carry anything): the reason names none.
    String unknown = settings.identity().unknownType(type);
    if (unknown != null) return Outcome.refused(Refusal.Reason.INVALID, "identity", unknown, 0);
    IdentityClaim claim = switch (type) {
      case Identity.USER_ID -> new IdentityClaim(value, null, null);
      case Identity.ANONYMOUS_ID -> new IdentityClaim(null, value, null);
      default -> new IdentityClaim(null, null, Map.of(type, value));
    };
    Outcome<List<Identity>> named = identities.identities(claim);
    if (named instanceof Outcome.Ok<List<Identity>> ok) return new Outcome.Ok<>(ok.value().get(0).key());
    Refusal r = ((Outcome.Refused<List<Identity>>) named).refusal();
    return new Outcome.Refused<>(new Refusal(r.reason(), "identity", r.message(), 0));
  }

  /** Which node hosts which profile shard now (for clients that send each user's events to its node). */
  public CompletionStage<ShardOwners.Snapshot> shardOwners() {
    return shardOwners.current();
  }

  /**
   * Users the journal certainly holds nothing for: on the embedded H2 journal (one node, its only
   * writer) the node's filter of known ids once it is loaded; never on a shared journal.
   */
  private static Predicate<String> neverWritten(ActorSystem<?> system, EngineSettings settings) {
    if (!settings.journal().h2()) return userId -> false;
    KnownPersistenceIds known = KnownPersistenceIds.get(Adapter.toClassic(system));
    return userId -> known.certainlyAbsent(UserProfile.persistenceIdOf(userId).id());
  }

  /** Registers the facade's metrics (ingest, reads, admission, change streams) in the node's registry. */
  public void registerMetrics(PrometheusRegistry registry) {
    metrics.registerIn(registry, List.of(eventLimit, readLimit), dispatch);
  }

  /**
   * Records events (one result per event, in order); a batch beyond the node's bound on events in
   * flight is shed whole. {@code caller}: the API key the batch came with (empty on an open node),
   * whose requests take turns with other keys' for the node's entities.
   */
  public CompletionStage<Recorded> record(Optional<String> caller, List<DecodedEvent> events) {
    return ingest.record(caller.orElse(""), events);
  }

  /** {@link #record(Optional, List)} for the node's one caller of an open node. */
  public CompletionStage<Recorded> record(List<DecodedEvent> events) {
    return record(Optional.empty(), events);
  }

  /** The profile as of {@code asOf} (null: its latest event): from this node's hosted state, else its entity under the read bound. */
  public CompletionStage<Outcome<ProfileView>> view(String userId, Instant asOf) {
    return reads.read(userId, asOf);
  }

  /**
   * The latest view of a profile hosted on this node as JSON, {@code render} of it once per written
   * state (later reads reuse it until the profile's next write); null when it is not hosted here:
   * then {@link #view}.
   */
  public byte[] hostedJson(String userId, java.util.function.Function<ProfileView, byte[]> render) {
    return reads.hostedJson(userId, render);
  }

  /** The top {@code k} next-category recommendations (a profile read: the same bound and metrics as {@link #view}). */
  public CompletionStage<Outcome<ProfileRecommendations.Result>> recommendations(String userId, int k) {
    Popularity popularity = models.map(ModelService::popularity).orElseGet(ModelRegistry::defaultPopularity);
    return reads.read(userId, null).thenApply(read -> map(read, view -> ProfileRecommendations.of(view, popularity, recommendations.weights(), k)));
  }

  /** The most recommendations one request may ask for ({@code profile.recommendations.max-k}). */
  public int maxRecommendations() {
    return recommendations.maxK();
  }

  /** Sets (or, with a null value, removes) attributes; Ok with the profile after the write. */
  public CompletionStage<Outcome<ProfileView>> setAttributes(String userId, Map<String, Object> attributes) {
    return write(entity(userId).ask(r -> new UserProfile.SetAttributes(attributes, r), settings.askTimeout()));
  }

  /** Records the user's consent choices; Ok with the profile after the write. */
  public CompletionStage<Outcome<ProfileView>> setConsent(String userId, Map<Consent.Purpose, Boolean> changes) {
    Map<Consent.Purpose, Boolean> copy = Map.copyOf(changes);
    return write(entity(userId).ask(r -> new UserProfile.SetConsent(copy, r), settings.askTimeout()));
  }

  /** The caps on attributes (names, values, count, bytes) a write must keep to. */
  public AttributeLimits attributeLimits() {
    return settings.attributeLimits();
  }

  private static CompletionStage<Outcome<ProfileView>> write(CompletionStage<UserProfile.ProfileReply> asked) {
    return Asks.timeoutRefused(asked.thenApply(reply -> {
      if (reply.refused() != null) return Outcome.refused(Refusal.Reason.INVALID, reply.refused().field(), reply.refused().reason(), 0);
      return reply.profile().<Outcome<ProfileView>>map(Outcome.Ok::new).orElseGet(() ->
          Outcome.refused(Refusal.Reason.UNAVAILABLE, "userId", "the profile is being forgotten: retry", 0));
    }));
  }

  /** How much a forget erased. */
  /**
   * What a forget erased: the canonical profile {@code userId} (whichever linked identity was
   * named) and every identity linked to it, by type.
   */
  public record Forgotten(String userId, int eventsErased, int snapshotsErased, Map<String, List<String>> identities) {}

  /**
   * Forgets the user and every identity linked to it: each profile merged into the canonical one is
   * erased first, then the canonical one (so a forget cut short and retried still finds the rest),
   * each leaving a tombstone. NotFound when nothing was stored.
   */
  public CompletionStage<Outcome<Forgotten>> forget(String userId) {
    return Asks.timeoutRefused(identities.resolve(userId)
        .thenCompose(r -> forgetAll(r.canonical(), r.keys().subList(1, r.keys().size()), 0, 0)
            .thenApply(o -> o instanceof Outcome.Ok<Forgotten> ok ? new Outcome.Ok<>(new Forgotten(ok.value().userId(), ok.value().eventsErased(),
                ok.value().snapshotsErased(), Identity.byType(r.keys().stream().map(Identity::ofKey).toList()))) : o))
        .whenComplete((o, failure) -> identities.forgotten()));
  }

  private CompletionStage<Outcome<Forgotten>> forgetAll(String canonical, List<String> linked, int events, int snapshots) {
    // An erasure deletes rows and snapshots: twice the ask timeout.
    java.time.Duration timeout = settings.askTimeout().multipliedBy(2);
    boolean last = linked.isEmpty();
    String key = last ? canonical : linked.get(0);
    return entity(key).<UserProfile.ForgetReply>ask(r -> last ? new UserProfile.Forget(r) : new UserProfile.ForgetHere(r), timeout)
        .thenCompose(reply -> {
          if (reply.error() != null) {
            return java.util.concurrent.CompletableFuture.completedFuture(Outcome.<Forgotten>refused(Refusal.Reason.UNAVAILABLE, "userId",
                "could not forget '" + key + "': " + reply.error() + "; retry", 0));
          }
          if (!last) return forgetAll(canonical, linked.subList(1, linked.size()), events + reply.eventsErased(), snapshots + reply.snapshotsErased());
          if (!reply.found() && events == 0) return java.util.concurrent.CompletableFuture.completedFuture(new Outcome.NotFound<Forgotten>());
          return java.util.concurrent.CompletableFuture.completedFuture(
              new Outcome.Ok<>(new Forgotten(canonical, events + reply.eventsErased(), snapshots + reply.snapshotsErased(), Map.of())));
        });
  }

  /** Everything stored about the user (the canonical profile of a linked identity); NotFound when nothing is. */
  public CompletionStage<Outcome<ProfileExport.Export>> export(String userId) {
    // Any linked identity exports the canonical profile, which holds every merged profile's events.
    return Asks.timeoutRefused(identities.resolve(userId)
        .thenCompose(r -> exporter.export(r.canonical()))
        .thenApply(found -> found.<Outcome<ProfileExport.Export>>map(Outcome.Ok::new).orElseGet(Outcome.NotFound::new)));
  }

  /**
   * The changes after {@code offset} of {@code userIds} (empty: every user), only those touching
   * {@code segment} if given, for the caller {@code callerKey} (its per-key subscriber cap; empty:
   * an open node's caller, whom only the node's cap bounds). The place is held until the stream
   * ends by any path; Refused when a cap is reached, UNKNOWN naming {@code segment} when the node
   * has no such segment (a misspelt one would otherwise stream nothing, forever).
   */
  public Outcome<Source<ChangeSubscription.Item, NotUsed>> subscribe(Optional<String> callerKey, long offset, Set<String> userIds, Optional<String> segment) {
    if (segment.isPresent() && settings.segments().segments().stream().noneMatch(s -> s.id().equals(segment.get()))) {
      return Outcome.refused(Refusal.Reason.UNKNOWN, "segment", "no segment '" + segment.get() + "' on this node; its segments: "
          + String.join(", ", settings.segments().segments().stream().map(s -> s.id()).toList()), 0);
    }
    SubscriberLimit.Admission admission = subscribers.tryAcquire(callerKey);
    if (admission instanceof SubscriberLimit.Admission.Refused no) return new Outcome.Refused<>(no.refusal());
    SubscriberLimit.Permit permit = ((SubscriberLimit.Admission.Admitted) admission).permit();
    return new Outcome.Ok<>(permit.holding(ChangeSubscription.of(feed, offset, Set.copyOf(userIds),
        c -> segment.isEmpty() || ChangeSubscription.touches(c, segment.get()), streamLimits, metrics, stopping)));
  }

  /**
   * As {@link #subscribe}, from {@code offset} or, when empty, from the journal's head (only what is
   * journaled from now on), once the offset is known to be one of this journal's: beyond its head
   * it cannot be (an offset of another journal: a data directory replaced, another cluster's), and
   * the stream would wait, silent, until the journal grew past it. Refused INVALID naming
   * {@code field} (the request's name for the offset) then. One query of the head at most.
   */
  public CompletionStage<Outcome<Source<ChangeSubscription.Item, NotUsed>>> subscribeFrom(String field, Optional<String> callerKey, OptionalLong offset,
                                                                                        Set<String> userIds, Optional<String> segment) {
    if (offset.isPresent() && offset.getAsLong() == 0) return java.util.concurrent.CompletableFuture.completedFuture(subscribe(callerKey, 0, userIds, segment));
    return feed.head().thenApply(head -> {
      long from = offset.orElse(head);
      return from <= head ? subscribe(callerKey, from, userIds, segment)
          : Outcome.refused(Refusal.Reason.INVALID, field, from + " is beyond this journal's last offset, " + head
              + ": an offset of another journal? Resume from 0 (everything) or latest", 0);
    });
  }

  /** The node's bound on events in flight. */
  public InFlightLimit eventLimit() {
    return eventLimit;
  }

  /** The node's bound on reads in flight. */
  public InFlightLimit readLimit() {
    return readLimit;
  }

  /** Change-stream subscribers open now on this node. */
  public int subscribers() {
    return subscribers.open();
  }

  private EntityRef<UserProfile.Command> entity(String userId) {
    return sharding.entityRefFor(UserProfile.ENTITY_KEY, userId);
  }

  private static <A, B> Outcome<B> map(Outcome<A> outcome, java.util.function.Function<A, B> f) {
    if (outcome instanceof Outcome.Ok<A> ok) return new Outcome.Ok<>(f.apply(ok.value()));
    if (outcome instanceof Outcome.Refused<A> refused) return new Outcome.Refused<>(refused.refusal());
    return new Outcome.NotFound<>();
  }
}
