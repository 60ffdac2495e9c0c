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
 * a bad header line, a path over the length limit), which never reaches the routes: the same
 * status as Akka's default, as the JSON error every other answer uses ({@link ErrorHandling}),
 * naming the part of the request at fault. Set as {@code akka.http.server.parsing.error-handler}.
 */
public final class ParsingErrors extends akka.http.ParsingErrorHandler {
  @Override
  public HttpResponse handle(StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
    log.warning("Illegal request, responding with status '{}': {}", status, info.summary());
    byte[] body = ErrorHandling.errorBody(field(status.intValue(), info.summary()), info.formatPretty());
    return HttpResponse.create().withStatus(status.intValue()).withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
  }

  /** The part of the request an error is about, from its status and Akka's summary. */
  static String field(int status, String summary) {
    String s = summary.toLowerCase(Locale.ROOT);
    if (status == 414 || s.contains("request-target") || s.contains("uri")) return "path";
    if (status == 431 || s.contains("header")) return "headers";
    if (s.contains("method")) return "method";
    return "request";
  }
}
