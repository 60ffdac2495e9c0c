package dev.profileengine.gateway.http;

import akka.http.javadsl.model.HttpEntity;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.RetryAfter;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.ExceptionHandler;
import akka.http.javadsl.server.MalformedRequestContentRejection;
import akka.http.javadsl.server.RejectionHandler;
import akka.http.javadsl.server.Route;
import akka.http.javadsl.server.UnsupportedRequestEncodingRejection;
import akka.http.scaladsl.model.EntityStreamSizeException;
import akka.pattern.AskTimeoutException;
import dev.profileengine.gateway.logging.LogContext;
import dev.profileengine.gateway.wire.Json;
import dev.profileengine.gateway.wire.RequestChecks;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every error leaves as JSON {@code {"error": ..., "field": ...}}: rejections keep Akka's status
 * and message (an unknown Content-Encoding is 415), oversized bodies are 413, an entity that does not answer in time is 503 with
 * Retry-After, and anything unexpected is logged and answered 500 without internals.
 */
public final class ErrorHandling {
  private static final Logger log = LoggerFactory.getLogger(ErrorHandling.class);
  private static final AllDirectives D = new AllDirectives() {};

  private ErrorHandling() {}

  private static final ExceptionHandler EXCEPTIONS = exceptions();
  private static final RejectionHandler REJECTIONS = rejections();

  public static Route error(StatusCode status, String field, String message) {
    return ProfileRoutes.json(status, errorBody(field, message));
  }

  /** The body of every error answer: {@code {"error": message, "field": field}}, without the field when null. */
  static byte[] errorBody(String field, String message) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", message);
    if (field != null) body.put("field", field);
    return Json.bytes(body);
  }

  public static Route wrap(Supplier<Route> inner) {
    // Built once: the inner supplier runs per request.
    return D.handleExceptions(EXCEPTIONS, () -> D.handleRejections(REJECTIONS, inner));
  }

  private static Route tooLarge(EntityStreamSizeException e) {
    return tooLarge(e.limit());
  }

  static Route tooLarge(long limit) {
    return error(StatusCodes.PAYLOAD_TOO_LARGE, "body", "request body exceeds the limit of " + limit + " bytes");
  }

  /**
   * The request's body stream failed before it was read: a malformed chunk, a chunk over the size
   * limit, a connection closed mid-body. The client's fault (or its departure), not the server's:
   * 400 (413 for the chunk limit) naming the body, logged like a request Akka cannot parse.
   */
  private static Route bodyStreamFailed(akka.http.scaladsl.model.EntityStreamException e) {
    String summary = e.info().summary();
    ParsingErrors.warnLimited("Request body could not be read, answered 400: {}", summary);
    if (summary.contains("exceeds the configured limit")) return error(StatusCodes.PAYLOAD_TOO_LARGE, "body", summary);
    return error(StatusCodes.BAD_REQUEST, "body", "the request body could not be read: " + summary);
  }

  /** {@code e} or the first of its causes of type {@code type}, or null. */
  private static <T extends Throwable> T causeOf(Throwable e, Class<T> type) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) if (type.isInstance(t)) return type.cast(t);
    return null;
  }

  static ExceptionHandler exceptions() {
    return ExceptionHandler.newBuilder()
        .match(EntityStreamSizeException.class, ErrorHandling::tooLarge)
        .match(akka.http.scaladsl.model.EntityStreamException.class, ErrorHandling::bodyStreamFailed)
        .match(RequestChecks.Invalid.class, e -> error(StatusCodes.BAD_REQUEST, e.field(), e.getMessage()))
        .match(AskTimeoutException.class, e -> unavailable())
        .match(TimeoutException.class, e -> unavailable())
        .matchAny(e -> {
          EntityStreamSizeException size = causeOf(e, EntityStreamSizeException.class);
          if (size != null) return tooLarge(size);
          var stream = causeOf(e, akka.http.scaladsl.model.EntityStreamException.class);
          if (stream != null) return bodyStreamFailed(stream);
          if (e.getCause() instanceof AskTimeoutException || e.getCause() instanceof TimeoutException) return unavailable();
          // logged with the request's id and user (MDC set for this synchronous call only)
          return D.extractRequest(request -> {
            try (LogContext.Scope mdc = LogContext.open(request)) {
              log.error("Unexpected error serving {} {}", request.method().value(), LogContext.printable(request.getUri().path()), e);
            }
            return error(StatusCodes.INTERNAL_SERVER_ERROR, null, "internal error");
          });
        })
        .build();
  }

  private static Route unavailable() {
    HttpHeader retry = RetryAfter.create(1L);
    return D.respondWithHeader(retry, () -> error(StatusCodes.SERVICE_UNAVAILABLE, null, "the profile did not answer in time: retry"));
  }

  static RejectionHandler rejections() {
    return RejectionHandler.newBuilder()
        .handle(MalformedRequestContentRejection.class, r -> r.getCause() instanceof EntityStreamSizeException s
            ? tooLarge(s)
            : error(StatusCodes.BAD_REQUEST, "body", r.message()))
        // One rejection per coding Akka tried; the body is declared in a coding this node cannot read.
        .handleAll(UnsupportedRequestEncodingRejection.class, r -> error(StatusCodes.UNSUPPORTED_MEDIA_TYPE, "Content-Encoding",
            "must be gzip, deflate or identity"))
        .build()
        .withFallback(RejectionHandler.defaultHandler())
        .mapRejectionResponse(ErrorHandling::asJson);
  }

  /** Rewrites Akka's plain-text rejection bodies as JSON errors, naming the part at fault where the status says it. */
  private static HttpResponse asJson(HttpResponse response) {
    if (response.entity() instanceof HttpEntity.Strict strict
        && !strict.getContentType().equals(akka.http.javadsl.model.ContentTypes.APPLICATION_JSON)) {
      String text = strict.getData().utf8String();
      String field = switch (response.status().intValue()) {
        case 404 -> "path";
        case 405 -> "method";
        default -> null;
      };
      return response.withEntity(akka.http.javadsl.model.HttpEntities.create(
          akka.http.javadsl.model.ContentTypes.APPLICATION_JSON, errorBody(field, text)));
    }
    return response;
  }

  /**
   * An integer query parameter within {@code [min, max]} ({@code dflt} when absent) handed to
   * {@code inner}, or a 400 naming the parameter and the reason.
   */
  static Route intParam(String name, java.util.Optional<String> raw, int dflt, int min, int max, java.util.function.IntFunction<Route> inner) {
    int value;
    try {
      value = raw.map(String::strip).map(Integer::parseInt).orElse(dflt);
    } catch (NumberFormatException e) {
      return error(StatusCodes.BAD_REQUEST, name, "must be an integer from " + min + " to " + max + ", was '" + raw.get() + "'");
    }
    if (value < min || value > max) return error(StatusCodes.BAD_REQUEST, name, "must be from " + min + " to " + max + ", was " + value);
    return inner.apply(value);
  }

  /**
   * An optional instant query parameter ('now' or ISO-8601; null when absent) handed to
   * {@code inner}, or a 400 naming the parameter and the reason.
   */
  static Route instantParam(String name, java.util.Optional<String> raw, java.util.function.Function<java.time.Instant, Route> inner) {
    return inner.apply(RequestChecks.instant(name, raw.orElse(null)));
  }

}
