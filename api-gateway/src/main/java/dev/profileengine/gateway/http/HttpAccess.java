package dev.profileengine.gateway.http;

import akka.http.javadsl.model.AttributeKey;
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

  /** No API keys configured (see {@link AccessControl#open}). */
  boolean open() {
    return access.open();
  }

  /** Runs {@code inner} for a caller allowed {@code scope} and within its rate (one token), else answers 401/403/429. */
  public Route require(Scope scope, Function<ApiKeys.Caller, Route> inner) {
    return optionalHeaderValueByName("Authorization", header -> decide(scope, header, inner));
  }

  /**
   * The decision {@link HostedReadHandler} took for a profile read it passed on to the route tree:
   * the tree takes it as it is instead of checking (and charging) the request a second time.
   */
  static final AttributeKey<AccessControl.Decision> DECIDED = AttributeKey.create("profile-read-access", AccessControl.Decision.class);

  /** {@link #require} for a request already in hand (no directive: the read path's), or its {@link #DECIDED} decision. */
  Route require(Scope scope, akka.http.javadsl.model.HttpRequest request, Function<ApiKeys.Caller, Route> inner) {
    java.util.Optional<AccessControl.Decision> decided = request.getAttribute(DECIDED);
    return decide(decided.isPresent() ? decided.get() : check(scope, request), inner);
  }

  /** The access decision for {@code request}'s {@code Authorization} header (one token of its caller's rate if allowed). */
  AccessControl.Decision check(Scope scope, akka.http.javadsl.model.HttpRequest request) {
    return access.check(scope, request.getHeader("Authorization").map(akka.http.javadsl.model.HttpHeader::value));
  }

  private Route decide(Scope scope, java.util.Optional<String> header, Function<ApiKeys.Caller, Route> inner) {
    return decide(access.check(scope, header), inner);
  }

  private Route decide(AccessControl.Decision d, Function<ApiKeys.Caller, Route> inner) {
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
