package dev.profileengine.gateway;

import akka.http.javadsl.marshalling.sse.EventStreamMarshalling;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.sse.ServerSentEvent;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import dev.profileengine.engine.changes.ChangeFeed;
import dev.profileengine.engine.changes.ProfileChange;
import dev.profileengine.gateway.auth.AccessControl;
import dev.profileengine.gateway.auth.Scope;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * {@code GET /v1/changes}: profile change notifications as Server-Sent Events. Each event's
 * {@code id} is its offset; a client resumes with {@code Last-Event-ID} (browsers do it by
 * themselves) or {@code ?from=offset} and gets every later change, once, in order.
 * {@code ?userId=} (repeatable) narrows the stream to some users.
 */
public final class ChangeRoutes extends AllDirectives {
  private static final Duration KEEP_ALIVE = Duration.ofSeconds(15);
  private final ChangeFeed feed;
  private final AccessControl access;

  private final GatewayMetrics metrics;

  private final ChangeSubscription.Limits limits;

  private final java.util.concurrent.CompletionStage<akka.Done> stopping;
  private final SubscriberLimit subscribers;

  public ChangeRoutes(ChangeFeed feed, AccessControl access, GatewayMetrics metrics, ChangeSubscription.Limits limits,
                      java.util.concurrent.CompletionStage<akka.Done> stopping, SubscriberLimit subscribers) {
    this.subscribers = subscribers;
    this.limits = limits;
    this.stopping = stopping;
    this.feed = feed;
    this.access = access;
    this.metrics = metrics;
  }

  /** A change as {@code profile-changed} (id = offset), or the closing {@code close} event with its reason. */
  private static ServerSentEvent toSse(ChangeSubscription.Item item) {
    if (item instanceof ChangeSubscription.Closed c) {
      return ServerSentEvent.create(new String(Json.bytes(c), java.nio.charset.StandardCharsets.UTF_8), "close");
    }
    ChangeFeed.ProfileChanged c = ((ChangeSubscription.Change) item).change();
    return ServerSentEvent.create(ChangeJson.render(c), "profile-changed", Long.toString(c.offset()));
  }

  /** A change of {@code segment}'s membership: the user entered or left it (or was forgotten). */
  public static boolean touches(ChangeFeed.ProfileChanged c, String segment) {
    if (c.change() instanceof ProfileChange.Forgotten) return true;
    return c.change() instanceof ProfileChange.SegmentsChanged s && s.touches(segment);
  }

  public Route routes() {
    return path(akka.http.javadsl.server.PathMatchers.segment("v1").slash("changes"), () -> get(() ->
        access.require(Scope.READ, caller -> optionalHeaderValueByName("Last-Event-ID", lastEventId ->
            parameterOptional("from", from ->
                parameterList("userId", users -> parameterOptional("segment", segment -> stream(caller.id(), from, lastEventId, users, segment))))))));
  }

  private Route stream(String key, Optional<String> from, Optional<String> lastEventId, List<String> users, Optional<String> segment) {
    String raw = from.orElse(lastEventId.orElse("0")).strip();
    String field = from.isPresent() ? "from" : "Last-Event-ID";
    long offset;
    try {
      offset = Long.parseLong(raw);
    } catch (NumberFormatException e) {
      return ErrorHandling.error(StatusCodes.BAD_REQUEST, field, "must be an offset (a non-negative integer), was '" + raw + "'");
    }
    if (offset < 0) return ErrorHandling.error(StatusCodes.BAD_REQUEST, field, "must not be negative");
    Optional<String> tooMany = SubscriberLimit.tooManyUsers(users.size());
    if (tooMany.isPresent()) return ErrorHandling.error(StatusCodes.BAD_REQUEST, "userId", tooMany.get());
    users.forEach(u -> RequestChecks.id("userId", u));
    segment.ifPresent(s -> RequestChecks.id("segment", s));
    Set<String> userIds = new HashSet<>(users);
    SubscriberLimit.Admission admission = subscribers.tryAcquire(key);
    if (admission instanceof SubscriberLimit.Admission.Refused no) {
      return respondWithHeader(akka.http.javadsl.model.headers.RetryAfter.create(SubscriberLimit.RETRY_AFTER_SECONDS),
          () -> ErrorHandling.error(StatusCodes.TOO_MANY_REQUESTS, no.refusal().limit(), no.refusal().message()));
    }
    SubscriberLimit.Permit permit = ((SubscriberLimit.Admission.Admitted) admission).permit();
    return completeOK(
        permit.holding(ChangeSubscription.of(feed, offset, userIds, c -> segment.isEmpty() || touches(c, segment.get()), limits, metrics, stopping)
            .map(ChangeRoutes::toSse)
            .keepAlive(KEEP_ALIVE, ServerSentEvent::heartbeat)),
        EventStreamMarshalling.toEventStream());
  }
}
