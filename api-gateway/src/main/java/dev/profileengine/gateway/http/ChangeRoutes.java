package dev.profileengine.gateway.http;

import akka.NotUsed;
import akka.http.javadsl.model.ContentType;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.MediaTypes;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.sse.ServerSentEvent;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import dev.profileengine.engine.changes.ChangeFeed;
import dev.profileengine.engine.profiles.ChangeSubscription;
import dev.profileengine.engine.profiles.Outcome;
import dev.profileengine.engine.profiles.Profiles;
import dev.profileengine.gateway.auth.Scope;
import dev.profileengine.gateway.wire.ChangeJson;
import dev.profileengine.gateway.wire.Json;
import dev.profileengine.gateway.wire.RequestChecks;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /v1/changes}: profile change notifications as Server-Sent Events. Each event's
 * {@code id} is its offset; a client resumes with {@code Last-Event-ID} (browsers do it by
 * themselves) or {@code ?from=offset} and gets every later change, once, in order. The header wins
 * over {@code from}: a browser's EventSource reconnects to the same URL, {@code from} included,
 * with the header saying where it got to. {@code ?userId=} (repeatable) narrows the stream to some
 * users, {@code ?segment=} to one segment's entries and exits; any other parameter is refused, so
 * that a misspelt one does not silently stream everything.
 */
public final class ChangeRoutes extends AllDirectives {
  // A comment line: an EventSource dispatches nothing for it (an empty "data:" was a message event
  // with empty data, which a client parsing each message's JSON failed on).
  private static final ByteString HEARTBEAT = ByteString.fromString(":\n\n");
  private static final ContentType EVENT_STREAM = MediaTypes.TEXT_EVENT_STREAM.toContentType();
  private final Profiles profiles;
  private final HttpAccess access;
  private final Duration heartbeat;

  ChangeRoutes(Profiles profiles, HttpAccess access, Duration heartbeat) {
    this.profiles = profiles;
    this.access = access;
    this.heartbeat = heartbeat;
  }

  /** A change as {@code profile-changed} (id = offset), or the closing {@code close} event with its reason. */
  private static ServerSentEvent toSse(ChangeSubscription.Item item) {
    if (item instanceof ChangeSubscription.Closed c) {
      return ServerSentEvent.create(new String(Json.bytes(c), java.nio.charset.StandardCharsets.UTF_8), "close");
    }
    ChangeFeed.ProfileChanged c = ((ChangeSubscription.Change) item).change();
    return ServerSentEvent.create(ChangeJson.render(c), "profile-changed", Long.toString(c.offset()));
  }

  /** {@code from=latest}: start at the journal's head. */
  static final String LATEST = "latest";

  /** The query parameters of {@code GET /v1/changes}. */
  private static final java.util.Set<String> PARAMETERS = java.util.Set.of("from", "userId", "segment");

  public Route routes() {
    return path(akka.http.javadsl.server.PathMatchers.segment("v1").slash("changes"), () -> get(() ->
        access.require(Scope.READ, caller -> parameterList(all -> {
          Optional<String> unknown = all.stream().map(java.util.Map.Entry::getKey).filter(k -> !PARAMETERS.contains(k)).findFirst();
          if (unknown.isPresent()) {
            return ErrorHandling.error(StatusCodes.BAD_REQUEST, unknown.get(), "is not a parameter of /v1/changes (from, userId, segment; "
                + "names are case-sensitive)");
          }
          return optionalHeaderValueByName("Last-Event-ID", lastEventId ->
              parameterOptional("from", from ->
                  parameterList("userId", users -> parameterOptional("segment", segment -> stream(caller.capKey(), from, lastEventId, users, segment)))));
        }))));
  }

  private Route stream(Optional<String> key, Optional<String> from, Optional<String> lastEventId, List<String> users, Optional<String> segment) {
    // The header first: it is where a reconnecting client got to, whatever its URL's from says.
    boolean header = lastEventId.isPresent();
    String raw = (header ? lastEventId.get() : from.orElse("0")).strip();
    String field = header ? "Last-Event-ID" : "from";
    // "latest": only what is journaled from now on, not the history
    if (!header && raw.equals(LATEST)) return stream(key, java.util.OptionalLong.empty(), field, users, segment);
    long offset;
    try {
      offset = Long.parseLong(raw);
    } catch (NumberFormatException e) {
      return ErrorHandling.error(StatusCodes.BAD_REQUEST, field, "must be an offset (a non-negative integer)"
          + (header ? "" : " or '" + LATEST + "'") + ", was '" + raw + "'");
    }
    if (offset < 0) return ErrorHandling.error(StatusCodes.BAD_REQUEST, field, "must not be negative");
    return stream(key, java.util.OptionalLong.of(offset), field, users, segment);
  }

  /** From {@code offset}, or from the journal's head when it is empty. */
  private Route stream(Optional<String> key, java.util.OptionalLong offset, String field, List<String> users, Optional<String> segment) {
    Optional<String> tooMany = ChangeSubscription.tooManyUsers(users.size());
    if (tooMany.isPresent()) return ErrorHandling.error(StatusCodes.BAD_REQUEST, "userId", tooMany.get());
    users.forEach(u -> RequestChecks.id("userId", u));
    segment.ifPresent(s -> RequestChecks.id("segment", s));
    return onSuccess(profiles.subscribeFrom(field, key, offset, new HashSet<>(users), segment), this::answer);
  }

  private Route answer(Outcome<Source<ChangeSubscription.Item, NotUsed>> subscribed) {
    if (subscribed instanceof Outcome.Refused<Source<ChangeSubscription.Item, NotUsed>> no) return HttpRefusals.refused(no.refusal());
    Source<ChangeSubscription.Item, NotUsed> changes = ((Outcome.Ok<Source<ChangeSubscription.Item, NotUsed>>) subscribed).value();
    // A subscriber that took not even the too_slow close: the response just ends (nothing can reach it).
    Source<ChangeSubscription.Item, NotUsed> quiet = changes.recoverWithRetries(1, ChangeSubscription.CloseNotTaken.class, Source::empty);
    // Read, deserialized and rendered on the change streams' threads, not the requests' (ChangeSubscription.DISPATCHER).
    Source<ByteString, NotUsed> events = quiet.map(item -> ((akka.http.scaladsl.model.sse.ServerSentEvent) toSse(item)).encode())
        .async(ChangeSubscription.DISPATCHER);
    return complete(HttpResponse.create().withEntity(HttpEntities.createChunked(EVENT_STREAM, events.keepAlive(heartbeat, () -> HEARTBEAT))));
  }
}
