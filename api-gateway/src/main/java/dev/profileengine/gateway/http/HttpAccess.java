package dev.profileengine.gateway.http;

import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.HttpChallenge;
import akka.http.javadsl.model.headers.RetryAfter;
import akka.http.javadsl.model.headers.WWWAuthenticate;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import dev.profileengine.gateway.auth.AccessControl;
import dev.profileengine.gateway.auth.ApiKeys;
import dev.profileengine.gateway.auth.Scope;
import java.util.function.Function;

/** {@link AccessControl} as HTTP directives: the {@code Authorization} header in, 401/403/429 out. */
public final class HttpAccess extends AllDirectives {
  private final AccessControl access;

  public HttpAccess(AccessControl access) {
    this.access = access;
  }

  /** Runs {@code inner} for a caller allowed {@code scope} and within its rate (one token), else answers 401/403/429. */
  public Route require(Scope scope, Function<ApiKeys.Caller, Route> inner) {
    return optionalHeaderValueByName("Authorization", header -> decide(scope, header, inner));
  }

  /** {@link #require} for a request already in hand (no directive: the read path's). */
  Route require(Scope scope, akka.http.javadsl.model.HttpRequest request, Function<ApiKeys.Caller, Route> inner) {
    return decide(scope, request.getHeader("Authorization").map(akka.http.javadsl.model.HttpHeader::value), inner);
  }

  private Route decide(Scope scope, java.util.Optional<String> header, Function<ApiKeys.Caller, Route> inner) {
    AccessControl.Decision d = access.check(scope, header);
    if (d instanceof AccessControl.Decision.Allowed a) return inner.apply(a.caller());
    return refuse((AccessControl.Decision.Denied) d);
  }

  /** Takes {@code cost} more tokens of an allowed caller's rate (the other events of a batch). */
  AccessControl.Decision charge(ApiKeys.Caller caller, long cost) {
    return access.charge(caller, cost);
  }

  /** The HTTP answer to a refusal: 401 with a challenge, 403, or 429 with Retry-After. */
  Route refuse(AccessControl.Decision.Denied no) {
    return switch (no.reason()) {
      case FORBIDDEN -> ErrorHandling.error(StatusCodes.FORBIDDEN, "Authorization", no.message());
      case RATE_LIMITED -> respondWithHeader(RetryAfter.create(no.retryAfterSeconds()), () ->
          ErrorHandling.error(StatusCodes.TOO_MANY_REQUESTS, "Authorization", no.message()));
      case UNAUTHORIZED -> respondWithHeader(WWWAuthenticate.create(HttpChallenge.createOAuth2("profile-engine")), () ->
          ErrorHandling.error(StatusCodes.UNAUTHORIZED, "Authorization", no.message()));
    };
  }
}
