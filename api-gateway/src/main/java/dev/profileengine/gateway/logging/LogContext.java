package dev.profileengine.gateway.logging;

import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.headers.RawHeader;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import org.slf4j.MDC;

/**
 * Request context for the logs: every HTTP request gets a request id (the caller's
 * {@code X-Request-Id}, sanitized, else a generated one), echoed in the response. The MDC is
 * thread-local and Akka handles a request across threads, so the MDC fields {@code requestId} and
 * {@code userId} are set only around a synchronous log call ({@link #open}), never for a whole
 * request.
 */
public final class LogContext {
  public static final String HEADER = "X-Request-Id";
  public static final String REQUEST_ID = "requestId";
  public static final String USER_ID = "userId";
  /** The MDC keys the JSON log carries as fields. */
  public static final List<String> KEYS = List.of(REQUEST_ID, USER_ID);
  /** Longest request id (and user id) kept; longer values are cut. */
  public static final int MAX_LENGTH = 128;

  private static final AllDirectives D = new AllDirectives() {};

  private LogContext() {}

  /**
   * The request id of a caller's header value: letters, digits and {@code . _ : + / = @ -} kept,
   * anything else dropped, at most {@link #MAX_LENGTH} characters; a new random id when nothing is left.
   */
  public static String requestId(Optional<String> header) {
    String raw = header.orElse("");
    StringBuilder b = new StringBuilder(Math.min(raw.length(), MAX_LENGTH));
    for (int i = 0; i < raw.length() && b.length() < MAX_LENGTH; i++) {
      char c = raw.charAt(i);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "._:+/=@-".indexOf(c) >= 0) b.append(c);
    }
    return b.isEmpty() ? randomId() : b.toString();
  }

  /** The {@code X-Request-Id} header a response to a request with the caller's header value {@code raw} carries ({@link #requestId}). */
  public static HttpHeader header(Optional<String> raw) {
    return RawHeader.create(HEADER, requestId(raw));
  }

  /** A version-4 UUID from a non-blocking generator: request ids need to be unique, not secret. */
  private static String randomId() {
    java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
    long high = (r.nextLong() & ~0xF000L) | 0x4000L;
    long low = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(high, low).toString();
  }

  /**
   * Gives the request its id (replacing the caller's header by the sanitized value, so handlers
   * below read it from the request) and echoes it as {@code X-Request-Id} on the response.
   */
  public static Route withRequestId(Supplier<Route> inner) {
    return D.optionalHeaderValueByName(HEADER, raw -> {
      HttpHeader id = header(raw);
      return D.mapRequest(r -> r.removeHeader(HEADER).addHeader(id), () -> D.respondWithHeader(id, inner));
    });
  }

  /** The user a request is about: the {@code {userId}} of {@code /v1/profiles/{userId}/...}, else none. */
  public static Optional<String> userId(HttpRequest request) {
    List<String> segments = new ArrayList<>();
    request.getUri().pathSegments().forEach(segments::add);
    if (segments.size() >= 3 && segments.get(0).equals("v1") && segments.get(1).equals("profiles") && !segments.get(2).isEmpty()) {
      return Optional.of(printable(segments.get(2)));
    }
    return Optional.empty();
  }

  /**
   * Puts the request's {@code requestId} and {@code userId} into the MDC until closed (then the
   * previous values come back): use it around synchronous log calls only, in try-with-resources.
   */
  public static Scope open(HttpRequest request) {
    return new Scope(request.getHeader(HEADER).map(HttpHeader::value).orElse(null), userId(request).orElse(null));
  }

  /** An MDC scope of {@link #open}. */
  public static final class Scope implements AutoCloseable {
    private final String previousRequest = MDC.get(REQUEST_ID);
    private final String previousUser = MDC.get(USER_ID);

    Scope(String requestId, String userId) {
      set(REQUEST_ID, requestId);
      set(USER_ID, userId);
    }

    @Override
    public void close() {
      set(REQUEST_ID, previousRequest);
      set(USER_ID, previousUser);
    }

    private static void set(String key, String value) {
      if (value == null) MDC.remove(key);
      else MDC.put(key, value);
    }
  }

  /** {@code s} without control characters (no forged log lines), at most {@link #MAX_LENGTH} characters. */
  public static String printable(String s) {
    StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_LENGTH));
    for (int i = 0; i < s.length() && b.length() < MAX_LENGTH; i++) {
      char c = s.charAt(i);
      if (!Character.isISOControl(c)) b.append(c);
    }
    return b.toString();
  }
}
