package dev.profileengine.gateway.http;

import akka.event.LoggingAdapter;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpResponse;
import akka.http.scaladsl.model.ErrorInfo;
import akka.http.scaladsl.model.StatusCode;
import akka.http.scaladsl.settings.ServerSettings;
import java.util.Locale;

/**
 * The answer to a request Akka HTTP cannot parse (a malformed path such as {@code /v1/profiles/%ZZ},
 * a bad header line, a path over the length limit, an unknown method or HTTP version), which never
 * reaches the routes: Akka's status, or 400 where Akka's is a 5xx (501 for an unknown method, 505
 * for a version: the client's request is at fault, not the server), as the JSON error every other
 * answer uses ({@link ErrorHandling}), naming the part of the request at fault. Set as
 * {@code akka.http.server.parsing.error-handler}.
 */
public final class ParsingErrors extends akka.http.ParsingErrorHandler {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ParsingErrors.class);
  private static final long WARNING_INTERVAL_NANOS = 10_000_000_000L;
  private static final java.util.concurrent.atomic.AtomicLong lastWarning = new java.util.concurrent.atomic.AtomicLong(System.nanoTime() - WARNING_INTERVAL_NANOS);
  private static final java.util.concurrent.atomic.AtomicLong suppressed = new java.util.concurrent.atomic.AtomicLong();

  @Override
  public HttpResponse handle(StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
    String field = field(status.intValue(), info.summary());
    int answered = status.intValue() >= 500 ? 400 : tooManyHeaders(status.intValue(), info.summary()) ? 431 : status.intValue();
    // A header's value may be a credential (a malformed Authorization header): logged by name of the part only.
    String what = field.equals("headers") ? "a header could not be parsed" : info.summary();
    warnLimited("Illegal request, answered " + answered + ": {}", what);
    byte[] body = ErrorHandling.errorBody(field, info.formatPretty());
    // Never reaches the routes, which give every other answer these headers.
    return HttpResponse.create().withStatus(answered).withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body))
        .addHeader(dev.profileengine.gateway.logging.LogContext.header(java.util.Optional.empty())).addHeader(ProfileRoutes.NOSNIFF);
  }

  /**
   * Logs a client's malformed request: a client sending garbage in a loop must not fill the log, so
   * one warning per interval (counting the ones since), the rest at debug. {@code message} has one {}.
   */
  static void warnLimited(String message, String what) {
    long now = System.nanoTime();
    long last = lastWarning.get();
    if (now - last >= WARNING_INTERVAL_NANOS && lastWarning.compareAndSet(last, now)) {
      LOG.warn(message + " ({} more since the last such warning, at debug level)", what, suppressed.getAndSet(0));
    } else {
      suppressed.incrementAndGet();
      LOG.debug(message, what);
    }
  }

  /** Akka answers a head over its header count limit 400; RFC 6585 has 431 for it, as Akka gives an over-long header. */
  static boolean tooManyHeaders(int status, String summary) {
    String s = summary.toLowerCase(Locale.ROOT);
    return status == 400 && s.contains("limit") && s.contains("headers");
  }

  /** Headers Akka's summaries name, as a client spells them. */
  private static final java.util.List<String> NAMED_HEADERS = java.util.List.of("Content-Length", "Transfer-Encoding", "Host", "Content-Type", "Expect");
  private static final java.util.regex.Pattern NAMED_HEADER = java.util.regex.Pattern.compile(
      "(?i)(?<![\\w-])(" + String.join("|", NAMED_HEADERS) + ")(?![\\w-])");

  /** The part of the request an error is about, from its status and Akka's summary: the header by name where it names one. */
  static String field(int status, String summary) {
    String s = summary.toLowerCase(Locale.ROOT);
    if (status == 414 || s.contains("request-target") || s.contains("uri")) return "path";
    if (status == 431) return "headers";
    java.util.regex.Matcher named = NAMED_HEADER.matcher(summary);
    if (named.find()) return NAMED_HEADERS.stream().filter(n -> n.equalsIgnoreCase(named.group(1))).findFirst().orElseThrow();
    if (s.contains("header")) return "headers";
    if (status == 501 || s.contains("method")) return "method";
    if (status == 505 || s.contains("protocol") || s.contains("version")) return "protocol";
    return "request";
  }
}
