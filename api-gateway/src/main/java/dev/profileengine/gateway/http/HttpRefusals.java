package dev.profileengine.gateway.http;

import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.RetryAfter;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import dev.profileengine.engine.profiles.Outcome;
import dev.profileengine.engine.profiles.Refusal;
import java.util.function.Function;
import java.util.function.Supplier;

/** The one mapping of the facade's outcomes to HTTP: refusal reasons to status codes and Retry-After. */
final class HttpRefusals {
  private static final AllDirectives D = new AllDirectives() {};

  private HttpRefusals() {}

  static StatusCode status(Refusal.Reason reason) {
    return switch (reason) {
      case OVERLOADED, TIMED_OUT, UNAVAILABLE -> StatusCodes.SERVICE_UNAVAILABLE;
      case INVALID -> StatusCodes.BAD_REQUEST;
      case CONFLICT -> StatusCodes.CONFLICT;
      case DISABLED, NOT_LINKED, UNKNOWN -> StatusCodes.NOT_FOUND;
      case SUBSCRIBERS_PER_NODE, SUBSCRIBERS_PER_KEY -> StatusCodes.TOO_MANY_REQUESTS;
    };
  }

  /** {@code inner} with the refusal's Retry-After, if it advises one. */
  static Route withRetryAfter(Refusal refusal, Supplier<Route> inner) {
    return refusal.retryAfterSeconds() > 0 ? D.respondWithHeader(RetryAfter.create(refusal.retryAfterSeconds()), inner) : inner.get();
  }

  /** The error answer to a refusal: its status, Retry-After and {@code {"error", "field"}}. */
  static Route refused(Refusal refusal) {
    return withRetryAfter(refusal, () -> ErrorHandling.error(status(refusal.reason()), refusal.field(), refusal.message()));
  }

  /** {@code ok} of the value, 404 naming the user, or the refusal. */
  static <T> Route answer(Outcome<T> outcome, String userId, Function<T, Route> ok) {
    if (outcome instanceof Outcome.Ok<T> found) return ok.apply(found.value());
    if (outcome instanceof Outcome.Refused<T> no) return refused(no.refusal());
    return notFound(userId);
  }

  static Route notFound(String userId) {
    return ErrorHandling.error(StatusCodes.NOT_FOUND, "userId", "no profile for user '" + userId + "'");
  }
}
