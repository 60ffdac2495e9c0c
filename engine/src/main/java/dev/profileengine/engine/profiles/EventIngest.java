package dev.profileengine.engine.profiles;

import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import dev.profileengine.engine.EngineSettings;
import dev.profileengine.engine.UserProfile;
import dev.profileengine.profile.BehaviorEvent;
import dev.profileengine.profile.EventResult;
import dev.profileengine.profile.FieldError;
import dev.profileengine.profile.identity.IdentityClaim;
import dev.profileengine.profile.identity.UnmergeBlocks;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Records a batch of decoded events (any protocol): validates each one on its own, groups the valid
 * ones per user (keeping their order) and sends each group to its user's entity concurrently, except
 * that events of identities the batch links go one after the other ({@link SendOrder}).
 * One bad event, or one slow user, never fails its neighbours. The node's {@link InFlightLimit} on
 * events bounds what is handed to entities and not yet answered: a batch beyond it is refused at
 * once, every valid event {@code unconfirmed} with the reason and nothing stored (HTTP 503 with
 * Retry-After), so an overload is shed instead of queueing until every ask times out.
 *
 * <p>Callbacks run on the actor system's dispatcher: with fewer than 3 cores the JDK's default
 * async executor starts a new thread per task.
 */
final class EventIngest {
  private static final String UNCONFIRMED = EventResult.UNCONFIRMED;

  private final ClusterSharding sharding;
  private final EngineSettings settings;
  private final Clock clock;
  private final Executor executor;
  private final InFlightLimit inFlight;
  private final ProfileMetrics metrics;
  private final IdentityGraph identities;
  private final FairDispatch dispatch;

  EventIngest(ClusterSharding sharding, Executor executor, EngineSettings settings, Clock clock, InFlightLimit inFlight, FairDispatch dispatch,
              ProfileMetrics metrics, IdentityGraph identities) {
    this.identities = identities;
    this.dispatch = dispatch;
    this.sharding = sharding;
    this.inFlight = inFlight;
    this.executor = executor;
    this.settings = settings;
    this.clock = clock;
    this.metrics = metrics;
  }

  /**
   * Records events decoded from their wire format (JSON, protobuf), counting them by status; sheds
   * the batch when the node is overloaded. {@code caller}: whom the batch's sends take turns for.
   */
  CompletionStage<Recorded> record(Object caller, List<DecodedEvent> decoded) {
    metrics.ingestBatchSize.observe(decoded.size());
    return recordUncounted(dispatch.request(caller), decoded).thenApply(recorded -> {
      for (String status : STATUSES) metrics.ingestEvents.labelValues(status).inc(recorded.count(status));
      if (recorded.shed()) metrics.admissionRefused.labelValues(inFlight.name()).inc();
      return recorded;
    });
  }

  private static final List<String> STATUSES = List.of(EventResult.ACCEPTED, EventResult.DUPLICATE, EventResult.REJECTED, UNCONFIRMED);

  private CompletionStage<Recorded> recordUncounted(FairDispatch.Request turns, List<DecodedEvent> decoded) {
    Instant now = clock.instant();
    EventResult[] results = new EventResult[decoded.size()];
    List<Integer> validSlots = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    List<IdentityClaim> links = new ArrayList<>();
    // Only events that will be recorded link their identities (an event refused for its type links nothing).
    Set<IdentityClaim> claims = new LinkedHashSet<>();
    for (int i = 0; i < decoded.size(); i++) {
      DecodedEvent d = decoded.get(i);
      List<FieldError> errors = d.ok() ? settings.validation().validate(d.event(), now) : d.errors();
      if (!errors.isEmpty()) {
        results[i] = EventResult.invalid(d.eventId(), errors);
        continue;
      }
      validSlots.add(i);
      keys.add(d.event().userId());
      links.add(d.links());
      if (d.links() != null) claims.add(d.links());
    }
    int valid = validSlots.size();
    Optional<Refusal> overShare = valid > 0 ? turns.overShare(valid, inFlight) : Optional.empty();
    if (overShare.isPresent()) return CompletableFuture.completedFuture(refused(results, decoded, validSlots, overShare.get()));
    if (valid > 0 && !inFlight.tryAcquire(valid)) return CompletableFuture.completedFuture(refused(results, decoded, validSlots, inFlight.refused(valid)));
    List<List<Run>> chains = new ArrayList<>();
    List<Set<IdentityClaim>> chainClaims = new ArrayList<>();
    for (List<List<Integer>> chain : SendOrder.chains(keys, links)) {
      Set<IdentityClaim> carried = new LinkedHashSet<>();
      chains.add(chain.stream().map(run -> {
        for (int k : run) if (links.get(k) != null) carried.add(links.get(k));
        List<Integer> slots = run.stream().map(validSlots::get).toList();
        return new Run(keys.get(run.get(0)), slots, slots.stream().map(i -> decoded.get(i).event()).toList());
      }).toList());
      chainClaims.add(carried);
    }
    if (claims.isEmpty()) return send(turns, results, chains, chain -> null);
    // Linked while the events are recorded: an event lands in its own key's profile, which
    // forwards it, or hands it over, to the canonical one (stashed while a merge is in flight,
    // so each event is applied once either way). The answer waits for both, so a read after it
    // sees the merged profile; a link the rules refuse, or an unmerge blocks, leaves the events to
    // their own profiles (stored all the same). A person's events are sent once the links they
    // carry are made or journaled as started (at once when made lately): a customer's new profile
    // then takes the anonymous one before it holds events of its own, as its folded state, with
    // nothing to read or refold. Other people's events do not wait.
    Map<IdentityClaim, CompletableFuture<UnmergeBlocks.Blocked>> linking = new HashMap<>();
    for (IdentityClaim c : claims) linking.put(c, identities.identifyCarried(c).toCompletableFuture());
    CompletionStage<Recorded> recorded = send(turns, results, chains, chain -> CompletableFuture.allOf(
        chainClaims.get(chain).stream().map(linking::get).toArray(CompletableFuture[]::new)));
    CompletableFuture<Map<IdentityClaim, UnmergeBlocks.Blocked>> linked = CompletableFuture.allOf(linking.values().toArray(CompletableFuture[]::new))
        .handle((v, failure) -> {
          Map<IdentityClaim, UnmergeBlocks.Blocked> blocked = new HashMap<>();
          linking.forEach((claim, f) -> {
            if (f.isDone() && !f.isCompletedExceptionally() && f.join() != null) blocked.put(claim, f.join());
          });
          return blocked;
        });
    return recorded.thenCombineAsync(linked, (r, blocked) -> blocked.isEmpty() ? r : withBlocked(r, decoded, blocked), executor);
  }

  /** Consecutive events of one key, written in one ask; {@code slots} their places in the batch. */
  private record Run(String key, List<Integer> slots, List<BehaviorEvent> events) {}

  /** The results with a note on each stored event whose identities an unmerge kept from being linked (when it has no other note). */
  private static Recorded withBlocked(Recorded recorded, List<DecodedEvent> decoded, Map<IdentityClaim, UnmergeBlocks.Blocked> blocked) {
    List<EventResult> results = new ArrayList<>(recorded.results());
    for (int i = 0; i < results.size(); i++) {
      UnmergeBlocks.Blocked b = decoded.get(i).links() == null ? null : blocked.get(decoded.get(i).links());
      EventResult r = results.get(i);
      boolean stored = r.status().equals(EventResult.ACCEPTED) || r.status().equals(EventResult.DUPLICATE);
      if (b != null && stored && r.detail() == null)
        results.set(i, new EventResult(r.eventId(), r.status(), r.reason(), r.field(), NOT_LINKED + b.field() + " " + b.reason()));
    }
    return new Recorded(results, recorded.complete(), recorded.refused());
  }

  /** How the detail of a stored event whose identities were not linked because of an unmerge begins. */
  static final String NOT_LINKED = "stored under its own identity, identities not linked: ";

  /**
   * Writes each chain's runs one after the other ({@link SendOrder}), the chains concurrently, each
   * once its links ({@code linksOf}, null: none) are settled, filling the events' slots of
   * {@code results}. A run not confirmed in time leaves the rest of its chain unsent (unconfirmed):
   * written after it, they could make it too late on its retry.
   */
  private CompletionStage<Recorded> send(FairDispatch.Request turns, EventResult[] results, List<List<Run>> chains,
                                        java.util.function.IntFunction<CompletableFuture<?>> linksOf) {
    List<CompletableFuture<Boolean>> pending = new ArrayList<>(chains.size());
    for (int c = 0; c < chains.size(); c++) {
      List<Run> chain = chains.get(c);
      CompletableFuture<?> links = linksOf.apply(c);
      // A link that failed, or is not started within half the ask timeout, holds nothing back: the
      // events go to their own keys' profiles (as they would without the wait), and the batch
      // still fits in the client's request timeout.
      pending.add(links == null || links.isDone() ? send(turns, results, chain, 0)
          : links.copy().completeOnTimeout(null, settings.askTimeout().toMillis() / 2, java.util.concurrent.TimeUnit.MILLISECONDS)
              .handleAsync((v, f) -> null, executor).thenCompose(v -> send(turns, results, chain, 0)));
    }
    return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
        .thenApplyAsync(v -> new Recorded(Arrays.asList(results),
            pending.stream().allMatch(CompletableFuture::join) && Arrays.stream(results).noneMatch(r -> r.status().equals(UNCONFIRMED)), null), executor);
  }

  private CompletableFuture<Boolean> send(FairDispatch.Request turns, EventResult[] results, List<Run> chain, int next) {
    Run run = chain.get(next);
    List<BehaviorEvent> events = run.events();
    long start = System.nanoTime(); // admission's latency includes the wait for a turn
    CompletableFuture<Boolean> answered = turns.send(events.size(), () -> recordAt(run.key(), events)
            .thenCompose(recorded -> againIfSplitOff(run.key(), events, recorded, SPLIT_OFF_ATTEMPTS)))
        .handleAsync((recorded, failure) -> {
          inFlight.release(events.size(), System.nanoTime() - start, failure == null);
          if (failure != null) {
            unconfirmed(results, run, "not confirmed within " + settings.askTimeout().toSeconds() + "s: retry it (a retried event is deduplicated)");
            return false;
          }
          for (int k = 0; k < events.size(); k++) results[run.slots().get(k)] = recorded.results().get(k);
          return true;
        }, executor)
        .toCompletableFuture();
    if (next + 1 == chain.size()) return answered;
    return answered.thenComposeAsync(ok -> {
      if (ok) return send(turns, results, chain, next + 1);
      for (Run unsent : chain.subList(next + 1, chain.size())) {
        inFlight.giveBack(unsent.events().size());
        unconfirmed(results, unsent, "not sent: an earlier event of the same identities in this batch was not confirmed; retry it (a retried event is deduplicated)");
      }
      return CompletableFuture.completedFuture(false);
    }, executor);
  }

  /** How many times events that reached a profile their identity was split off from are sent to it again. */
  private static final int SPLIT_OFF_ATTEMPTS = 3;

  private CompletionStage<UserProfile.Recorded> recordAt(String key, List<BehaviorEvent> events) {
    return sharding.entityRefFor(UserProfile.ENTITY_KEY, key)
        .ask(replyTo -> new UserProfile.RecordEvents(events, replyTo), settings.askTimeout());
  }

  /**
   * {@code recorded} with the events that reached a profile their identity was split off from
   * meanwhile ({@link UserProfile#SPLIT_OFF}) sent again to their key, whose own profile takes
   * them now (a race with an unmerge, not the client's error). {@code attempts} times at most (the
   * identity may be linked and split off again meanwhile): still split off, they stay unconfirmed
   * (the client retries them).
   */
  private CompletionStage<UserProfile.Recorded> againIfSplitOff(String key, List<BehaviorEvent> events, UserProfile.Recorded recorded, int attempts) {
    List<Integer> split = new ArrayList<>();
    for (int k = 0; k < recorded.results().size(); k++)
      if (UserProfile.SPLIT_OFF.equals(recorded.results().get(k).reason())) split.add(k);
    if (split.isEmpty() || attempts == 0) return CompletableFuture.completedFuture(recorded);
    List<BehaviorEvent> resent = split.stream().map(events::get).toList();
    return recordAt(key, resent).thenCompose(r -> againIfSplitOff(key, resent, r, attempts - 1)).thenApply(again -> {
      List<EventResult> results = new ArrayList<>(recorded.results());
      for (int k = 0; k < split.size(); k++) results.set(split.get(k), again.results().get(k));
      return new UserProfile.Recorded(List.copyOf(results));
    });
  }

  /** Fills the slots of {@code run}'s events with {@code unconfirmed} results giving {@code reason}. */
  private static void unconfirmed(EventResult[] results, Run run, String reason) {
    for (int k = 0; k < run.events().size(); k++)
      results[run.slots().get(k)] = new EventResult(run.events().get(k).eventId(), UNCONFIRMED, reason, null, null);
  }

  /** The outcome of a batch refused by admission control: invalid events keep their errors, valid ones are unconfirmed. */
  private Recorded refused(EventResult[] results, List<DecodedEvent> decoded, List<Integer> validSlots, Refusal refusal) {
    for (int i : validSlots) results[i] = new EventResult(decoded.get(i).eventId(), UNCONFIRMED, refusal.message(), null, null);
    return new Recorded(Arrays.asList(results), false, refusal);
  }
}
