package dev.profileengine.gateway.auth;

import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.HttpChallenge;
import akka.http.javadsl.model.headers.RetryAfter;
import akka.http.javadsl.model.headers.WWWAuthenticate;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import com.typesafe.config.Config;
import dev.profileengine.gateway.ErrorHandling;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
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

  /** Reads {@code profile.http.api-keys} and {@code PROFILE_API_KEYS}; refuses an open node on a non-loopback address. */
  public static AccessControl from(Config root, Consumer<String> onDenied) {
    Config c = root.getConfig("profile.http");
    List<String> entries = new ArrayList<>(c.getStringList("api-keys"));
    String env = c.getString("api-keys-env");
    if (!env.isBlank()) entries.addAll(List.of(env.split(",")));
    ApiKeys keys = ApiKeys.parse(entries);
    String bind = c.getString("bind");
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
    return new AccessControl(keys, new RateLimiter(c.getDouble("rate-limit.requests-per-second"), c.getDouble("rate-limit.burst")), onDenied);
  }

  static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** Runs {@code inner} for a caller allowed {@code scope} and within its rate, else answers 401/403/429. */
  public Route require(Scope scope, Function<ApiKeys.Caller, Route> inner) {
    return optionalHeaderValueByName("Authorization", header -> {
      Optional<ApiKeys.Caller> caller;
      if (keys.isEmpty()) {
        caller = Optional.of(ANONYMOUS);
      } else if (header.isEmpty()) {
        return unauthorized("missing Authorization: Bearer <api key>");
      } else {
        String h = header.get().strip();
        if (!h.regionMatches(true, 0, "Bearer ", 0, 7)) return unauthorized("Authorization must be 'Bearer <api key>'");
        caller = keys.lookup(h.substring(7).strip());
        if (caller.isEmpty()) return unauthorized("unknown API key");
      }
      ApiKeys.Caller who = caller.get();
      if (!who.may(scope)) {
        onDenied.accept("forbidden");
        return ErrorHandling.error(StatusCodes.FORBIDDEN, "Authorization", "this API key lacks the '" + scope.wire() + "' scope");
      }
      long wait = limiter.tryAcquire(who.id(), System.nanoTime());
      if (wait > 0) {
        onDenied.accept("rate_limited");
        return respondWithHeader(RetryAfter.create(wait), () ->
            ErrorHandling.error(StatusCodes.TOO_MANY_REQUESTS, "Authorization", "rate limit of this API key exceeded: retry in " + wait + " s"));
      }
      return inner.apply(who);
    });
  }

  private Route unauthorized(String why) {
    onDenied.accept("unauthorized");
    return respondWithHeader(WWWAuthenticate.create(HttpChallenge.createOAuth2("profile-engine")), () ->
        ErrorHandling.error(StatusCodes.UNAUTHORIZED, "Authorization", why));
  }
}
