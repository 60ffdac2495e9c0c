package dev.profileengine.gateway.http;

import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.MediaType;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import akka.http.javadsl.unmarshalling.Unmarshaller;
import akka.util.ByteString;
import java.util.function.Function;

/**
 * The one way a request body reaches a route: declared as JSON (or not declared at all), decoded
 * from {@code gzip} or {@code deflate} when the client says so, and at most {@code limit} bytes once
 * decoded (413 beyond, so a small compressed body cannot expand without bound). A body declared as
 * anything else is 415 naming {@code Content-Type}; an unknown {@code Content-Encoding} is 415 naming
 * it (see {@link ErrorHandling}); UTF-8 is checked where the JSON is parsed.
 */
final class JsonBodies {
  private static final AllDirectives D = new AllDirectives() {};

  private JsonBodies() {}

  static Route read(long limit, Function<byte[], Route> inner) {
    return D.extractRequest(request -> {
      String why = contentTypeProblem(request);
      if (why != null) return ErrorHandling.error(StatusCodes.UNSUPPORTED_MEDIA_TYPE, "Content-Type", why);
      return D.decodeRequest(() -> D.withSizeLimit(limit, () ->
          D.entity(Unmarshaller.entityToByteString(), (ByteString b) -> inner.apply(b.toArray()))));
    });
  }

  /** Why the declared type is not JSON, null when it is JSON or undeclared (octet-stream to Akka; none/none when empty). */
  static String contentTypeProblem(HttpRequest request) {
    // A Content-Type Akka could not parse stays a raw header; a parsed one lives on the entity.
    if (request.getHeader("Content-Type").isPresent()) return "must be application/json: the header could not be read";
    return contentTypeProblem(request.entity().getContentType().mediaType());
  }

  static String contentTypeProblem(MediaType type) {
    String main = type.mainType();
    String sub = type.subType();
    boolean json = main.equals("application") && (sub.equals("json") || sub.endsWith("+json") || sub.equals("octet-stream"))
        || main.equals("none");
    return json ? null : "must be application/json, was " + dev.profileengine.gateway.wire.RequestChecks.shown(type.toString());
  }
}
