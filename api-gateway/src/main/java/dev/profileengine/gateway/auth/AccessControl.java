package dev.profileengine.gateway.auth;

import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.HttpChallenge;
import akka.http.javadsl.model.headers.RetryAfter;
import akka.http.javadsl.model.headers.WWWAuthenticate;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import dev.profileengine.gateway.ErrorHandling;
import dev.profileengine.gateway.GatewaySettings;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * API keys ({@code Authorization: Bearer <key>}) with scopes and a per-key rate limit. With no key
 * configured the node runs open, which it only accepts when bound to loopback.
 */
public final class AccessControl extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(AccessControl.class);
  private static final ApiKeys.Caller ANONYMOUS = new ApiKeys.Caller("anonymous", java.util.Set.of(Scope.ADMIN));

  private final ApiKeys keys;
  private final RateLimiter limiter;
  private final Consumer<String> onDenied;

  /** {@code onDenied} hears each refusal's reason: unauthorized, forbidden or rate_limited. */
  public AccessControl(ApiKeys keys, RateLimiter limiter, Consumer<String> onDenied) {
    this.keys = keys;
    this.limiter = limiter;
    this.onDenied = onDenied;
  }

  /** The keys of {@code profile.http.api-keys} and {@code PROFILE_API_KEYS}; refuses an open node on a non-loopback address. */
  public static AccessControl from(GatewaySettings settings, Consumer<String> onDenied) {
    ApiKeys keys = ApiKeys.parse(settings.apiKeys());
    String bind = settings.bind();
    if (keys.isEmpty()) {
      if (!isLoopback(bind)) {
        throw new IllegalStateException("no API keys configured and bound to " + bind + ": refusing to serve an open API "
            + "beyond loopback. Set PROFILE_API_KEYS (e.g. k1=ingest+read,k2=admin) or bind to 127.0.0.1");
      }
      log.warn("*** NO API KEYS CONFIGURED: the API is OPEN to anyone who can reach {} (loopback only). "
          + "Set PROFILE_API_KEYS before exposing this node. ***", bind);
    } else {
      log.info("API keys: {} configured (kept as hashes)", keys.size());
    }
    return new AccessControl(keys, new RateLimiter(settings.rateLimit().perSecond(), settings.rateLimit().burst()), onDenied);
  }

  static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** The outcome of an access check. */
  public sealed interface Decision {
    record Allowed(ApiKeys.Caller caller) implements Decision {}

    /** @param reason unauthorized, forbidden or rate_limited; {@code retryAfterSeconds} for rate_limited */
    record Denied(String reason, String message, long retryAfterSeconds) implements Decision {}
  }

  /** Checks a presented {@code Authorization} header value against {@code scope} and the caller's rate (one token). */
  public Decision check(Scope scope, Optional<String> authorization) {
    return check(scope, authorization, 1);
  }

  /**
   * As {@link #check(Scope, Optional)}, taking {@code cost} tokens of the caller's rate (0: the key
   * and scope only, as the gRPC guard checks before a message is read).
   */
  public Decision check(Scope scope, Optional<String> authorization, long cost) {
    ApiKeys.Caller who;
    if (keys.isEmpty()) {
      who = ANONYMOUS;
    } else if (authorization.isEmpty()) {
      return denied("unauthorized", "missing Authorization: Bearer <api key>", 0);
    } else {
      String h = authorization.get().strip();
      if (!h.regionMatches(true, 0, "Bearer ", 0, 7)) return denied("unauthorized", "Authorization must be 'Bearer <api key>'", 0);
      Optional<ApiKeys.Caller> caller = keys.lookup(h.substring(7).strip());
      if (caller.isEmpty()) return denied("unauthorized", "unknown API key", 0);
      who = caller.get();
    }
    if (!who.may(scope)) return denied("forbidden", "this API key lacks the '" + scope.wire() + "' scope", 0);
    return charge(who, cost);
  }

  /** Takes {@code cost} more tokens (events of a batch) of an allowed caller's rate: Allowed, or Denied rate_limited. */
  public Decision charge(ApiKeys.Caller who, long cost) {
    long wait = limiter.tryAcquire(who.id(), cost, System.nanoTime());
    if (wait > 0) return denied("rate_limited", "rate limit of this API key exceeded: retry in " + wait + " s", wait);
    return new Decision.Allowed(who);
  }

  /** Takes {@code cost} tokens of the caller's rate if it has them: 0, else the nanoseconds to wait (a stream waits, back-pressured). */
  public long chargeOrWait(ApiKeys.Caller who, long cost) {
    long wait = limiter.tryAcquireNanos(who.id(), cost, System.nanoTime());
    if (wait > 0) onDenied.accept("rate_limited");
    return wait;
  }

  /** The HTTP answer to a refusal: 401, 403 or 429 with Retry-After. */
  public Route refuse(Decision.Denied no) {
    return switch (no.reason()) {
      case "forbidden" -> ErrorHandling.error(StatusCodes.FORBIDDEN, "Authorization", no.message());
      case "rate_limited" -> respondWithHeader(RetryAfter.create(no.retryAfterSeconds()), () ->
          ErrorHandling.error(StatusCodes.TOO_MANY_REQUESTS, "Authorization", no.message()));
      default -> respondWithHeader(WWWAuthenticate.create(HttpChallenge.createOAuth2("profile-engine")), () ->
          ErrorHandling.error(StatusCodes.UNAUTHORIZED, "Authorization", no.message()));
    };
  }

  private Decision denied(String reason, String message, long retryAfter) {
    onDenied.accept(reason);
    return new Decision.Denied(reason, message, retryAfter);
  }

  /** Runs {@code inner} for a caller allowed {@code scope} and within its rate, else answers 401/403/429. */
  public Route require(Scope scope, Function<ApiKeys.Caller, Route> inner) {
    return optionalHeaderValueByName("Authorization", header -> {
      Decision d = check(scope, header);
      if (d instanceof Decision.Allowed a) return inner.apply(a.caller());
      return refuse((Decision.Denied) d);
    });
  }
}
