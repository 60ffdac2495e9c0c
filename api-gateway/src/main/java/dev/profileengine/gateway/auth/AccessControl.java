package dev.profileengine.gateway.auth;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * API keys ({@code Authorization: Bearer <key>}) with scopes and a per-key rate limit. With no key
 * configured the node runs open, which it only accepts when bound to loopback. Protocol-neutral:
 * each protocol maps a {@link Denial} to its status once ({@code http.HttpAccess}, {@code grpc.GrpcStatus}).
 */
public final class AccessControl {
  private static final Logger log = LoggerFactory.getLogger(AccessControl.class);
  private static final ApiKeys.Caller ANONYMOUS = new ApiKeys.Caller(ApiKeys.Caller.OPEN, java.util.Set.of(Scope.ADMIN));

  private final ApiKeys keys;
  private final RateLimiter limiter;
  private final Consumer<String> onDenied;

  /** {@code onDenied} hears each refusal's reason as its metric label: unauthorized, forbidden or rate_limited. */
  /** No API keys: anyone who reaches the (loopback) address may do anything. */
  public boolean open() {
    return keys.isEmpty();
  }

  public AccessControl(ApiKeys keys, RateLimiter limiter, Consumer<String> onDenied) {
    this.keys = keys;
    this.limiter = limiter;
    this.onDenied = onDenied;
  }

  /**
   * Access for {@code apiKeys} ({@code key=scope+scope} entries) with a per-key rate of
   * {@code perSecond} and {@code burst}; refuses an open node on a non-loopback {@code bind}.
   */
  public static AccessControl from(List<String> apiKeys, String bind, double perSecond, double burst, Consumer<String> onDenied) {
    ApiKeys keys = ApiKeys.parse(apiKeys);
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
    return new AccessControl(keys, new RateLimiter(perSecond, burst), onDenied);
  }

  static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** Why a request was refused. */
  public enum Denial {
    /** No key, a malformed header or an unknown key. */
    UNAUTHORIZED,
    /** A known key without the scope. */
    FORBIDDEN,
    /** A known key over its rate. */
    RATE_LIMITED;

    /** The {@code profile_access_denied_total} label. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The outcome of an access check. */
  public sealed interface Decision {
    record Allowed(ApiKeys.Caller caller) implements Decision {}

    /** {@code retryAfterSeconds} for {@link Denial#RATE_LIMITED}. */
    record Denied(Denial reason, String message, long retryAfterSeconds) implements Decision {}
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
      return denied(Denial.UNAUTHORIZED, "missing Authorization: Bearer <api key>", 0);
    } else {
      String h = authorization.get().strip();
      if (!h.regionMatches(true, 0, "Bearer ", 0, 7)) return denied(Denial.UNAUTHORIZED, "Authorization must be 'Bearer <api key>'", 0);
      Optional<ApiKeys.Caller> caller = keys.lookup(h.substring(7).strip());
      if (caller.isEmpty()) return denied(Denial.UNAUTHORIZED, "unknown API key", 0);
      who = caller.get();
    }
    if (!who.may(scope)) return denied(Denial.FORBIDDEN, "this API key lacks the '" + scope.wire() + "' scope", 0);
    return charge(who, cost);
  }

  /** Takes {@code cost} more tokens (events of a batch) of an allowed caller's rate: Allowed, or Denied rate_limited. */
  public Decision charge(ApiKeys.Caller who, long cost) {
    long wait = limiter.tryAcquire(who.id(), cost, System.nanoTime());
    if (wait > 0) return denied(Denial.RATE_LIMITED, "rate limit of this API key exceeded: retry in " + wait + " s", wait);
    return new Decision.Allowed(who);
  }

  /** Takes {@code cost} tokens of the caller's rate if it has them: 0, else the nanoseconds to wait (a stream waits, back-pressured). */
  public long chargeOrWait(ApiKeys.Caller who, long cost) {
    long wait = limiter.tryAcquireNanos(who.id(), cost, System.nanoTime());
    if (wait > 0) onDenied.accept(Denial.RATE_LIMITED.label());
    return wait;
  }

  private Decision denied(Denial reason, String message, long retryAfter) {
    onDenied.accept(reason.label());
    return new Decision.Denied(reason, message, retryAfter);
  }
}
