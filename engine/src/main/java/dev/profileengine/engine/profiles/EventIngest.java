package dev.profileengine.gateway;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import com.fasterxml.jackson.databind.JsonNode;
import dev.profileengine.engine.EngineSettings;
import dev.profileengine.engine.UserProfile;
import dev.profileengine.profile.BehaviorEvent;
import dev.profileengine.profile.EventResult;
import dev.profileengine.profile.FieldError;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Ingests a batch of JSON events: decodes and validates each one on its own, groups the valid
 * ones per user (keeping their order) and sends each group to its user's entity concurrently.
 * One bad event, or one slow user, never fails its neighbours. The node's {@link InFlightLimit} on
 * events bounds what is handed to entities and not yet answered: a batch beyond it is refused at
 * once, every valid event {@code unconfirmed} with the reason and nothing stored (HTTP 503 with
 * Retry-After), so an overload is shed instead of queueing until every ask times out.
 *
 * <p>Callbacks run on the actor system's dispatcher: with fewer than 3 cores the JDK's default
 * async executor starts a new thread per task.
 */
public final class IngestService {
  /** Status of an event whose entity did not confirm in time: not known to be stored, safe to retry. */
  public static final String UNCONFIRMED = EventResult.UNCONFIRMED;

  private final ClusterSharding sharding;
  private final EngineSettings settings;
  private final Clock clock;
  private final Executor executor;
  private final InFlightLimit inFlight;

  public IngestService(ActorSystem<?> system, EngineSettings settings, Clock clock, InFlightLimit inFlight) {
    this.sharding = ClusterSharding.get(system);
    this.inFlight = inFlight;
    this.executor = system.executionContext();
    this.settings = settings;
    this.clock = clock;
  }

  /**
   * Results in request order; {@code complete} is false when some entity did not answer in time,
   * or when the node was overloaded ({@code shed}: nothing of the batch was handed to an entity).
   */
  public record Outcome(List<EventResult> results, boolean complete, boolean shed) {
    public long count(String status) {
      return results.stream().filter(r -> r.status().equals(status)).count();
    }
  }

  public CompletionStage<Outcome> ingest(List<JsonNode> elements) {
    return ingestDecoded(elements.stream().map(EventJson::decode).toList());
  }

  /** Ingests events already decoded from their wire format (JSON, protobuf); sheds the batch when the node is overloaded. */
  public CompletionStage<Outcome> ingestDecoded(List<EventJson.Decoded> decoded) {
    Instant now = clock.instant();
    EventResult[] results = new EventResult[decoded.size()];
    Map<String, List<Integer>> slotsByUser = new LinkedHashMap<>();
    Map<String, List<BehaviorEvent>> eventsByUser = new LinkedHashMap<>();
    for (int i = 0; i < decoded.size(); i++) {
      EventJson.Decoded d = decoded.get(i);
      List<FieldError> errors = d.ok() ? settings.validation().validate(d.event(), now) : d.errors();
      if (!errors.isEmpty()) {
        results[i] = EventResult.invalid(d.eventId(), errors);
        continue;
      }
      String user = d.event().userId();
      slotsByUser.computeIfAbsent(user, u -> new ArrayList<>()).add(i);
      eventsByUser.computeIfAbsent(user, u -> new ArrayList<>()).add(d.event());
    }
    int valid = eventsByUser.values().stream().mapToInt(List::size).sum();
    if (valid > 0 && !inFlight.tryAcquire(valid)) return CompletableFuture.completedFuture(refused(results, decoded, slotsByUser, valid));
    long start = System.nanoTime();
    List<CompletableFuture<Boolean>> pending = new ArrayList<>(eventsByUser.size());
    eventsByUser.forEach((user, events) -> {
      List<Integer> slots = slotsByUser.get(user);
      pending.add(sharding.entityRefFor(UserProfile.ENTITY_KEY, user)
          .<UserProfile.Recorded>ask(replyTo -> new UserProfile.RecordEvents(events, replyTo), settings.askTimeout())
          .handleAsync((recorded, failure) -> {
            inFlight.release(events.size(), System.nanoTime() - start, failure == null);
            for (int k = 0; k < slots.size(); k++) {
              results[slots.get(k)] = failure == null
                  ? recorded.results().get(k)
                  : new EventResult(events.get(k).eventId(), UNCONFIRMED, "not confirmed within " + settings.askTimeout().toSeconds()
                      + "s: retry it (a retried event is deduplicated)", null, null);
            }
            return failure == null;
          }, executor)
          .toCompletableFuture());
    });
    return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
        .thenApplyAsync(v -> new Outcome(Arrays.asList(results),
            pending.stream().allMatch(CompletableFuture::join) && Arrays.stream(results).noneMatch(r -> r.status().equals(UNCONFIRMED)), false), executor);
  }

  /** The outcome of a batch refused by admission control: invalid events keep their errors, valid ones are unconfirmed. */
  private Outcome refused(EventResult[] results, List<EventJson.Decoded> decoded, Map<String, List<Integer>> slotsByUser, int valid) {
    String reason = inFlight.refusal(valid);
    slotsByUser.values().forEach(slots -> slots.forEach(i ->
        results[i] = new EventResult(decoded.get(i).eventId(), UNCONFIRMED, reason, null, null)));
    return new Outcome(Arrays.asList(results), false, true);
  }
}
