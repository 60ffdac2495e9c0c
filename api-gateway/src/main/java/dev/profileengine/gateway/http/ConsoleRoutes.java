package dev.profileengine.gateway.http;

import akka.http.javadsl.model.ContentType;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpCharsets;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.MediaTypes;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.EntityTag;
import akka.http.javadsl.model.headers.RawHeader;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /console}: the operator console, static files packaged in the jar under
 * {@code console/}. They hold no data (the page asks for an API key and calls the public API), so
 * they are open like {@code /openapi.yaml}; a fixed set read once at start, answered from memory
 * with an ETag, so a request costs no disk read and no unknown name reaches the class path.
 */
public final class ConsoleRoutes extends AllDirectives {
  /**
   * Scripts and styles from this origin only, no inline script or eval, no frames, no plugins;
   * the page talks to the API of the node that served it and nothing else.
   */
  static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      + "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private static final List<HttpHeader> HEADERS = List.of(
      RawHeader.create("Content-Security-Policy", CONTENT_SECURITY_POLICY),
      ProfileRoutes.NOSNIFF,
      RawHeader.create("X-Frame-Options", "DENY"),
      RawHeader.create("Referrer-Policy", "no-referrer"),
      // Revalidate each time (cheap: 304 on the ETag) so a node upgrade never mixes old and new files.
      RawHeader.create("Cache-Control", "no-cache"));

  private static final ContentType.WithCharset JAVASCRIPT = ContentTypes.create(MediaTypes.APPLICATION_JAVASCRIPT, HttpCharsets.UTF_8);
  private static final ContentType.WithCharset CSS = ContentTypes.create(MediaTypes.TEXT_CSS, HttpCharsets.UTF_8);

  /** One file of the console, held in memory. */
  private record Asset(ContentType type, byte[] bytes, EntityTag etag) {}

  private final Asset index;
  private final Map<String, Asset> assets;

  public ConsoleRoutes() {
    this.index = load("index.html", ContentTypes.TEXT_HTML_UTF8);
    this.assets = Map.of(
        "console.js", load("console.js", JAVASCRIPT),
        "charts.js", load("charts.js", JAVASCRIPT),
        "sse.js", load("sse.js", JAVASCRIPT),
        "metrics.js", load("metrics.js", JAVASCRIPT),
        "console.css", load("console.css", CSS));
  }

  private static Asset load(String name, ContentType type) {
    try (InputStream in = ConsoleRoutes.class.getClassLoader().getResourceAsStream("console/" + name)) {
      if (in == null) throw new IllegalStateException("console asset missing from the jar: console/" + name);
      byte[] bytes = in.readAllBytes();
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      return new Asset(type, bytes, EntityTag.create(HexFormat.of().formatHex(digest, 0, 12), false));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code /console}, {@code /console/} (the page; {@code ?user=} is read by the page) and its named files. */
  public Route routes() {
    return pathPrefix("console", () -> get(() -> concat(
        pathEndOrSingleSlash(() -> serve(index)),
        path(PathMatchers.segment(), name -> {
          Asset a = assets.get(name);
          return a == null ? ErrorHandling.error(StatusCodes.NOT_FOUND, "path", "no such console file") : serve(a);
        }))));
  }

  private Route serve(Asset a) {
    return respondWithHeaders(HEADERS, () -> conditional(a.etag(), () ->
        complete(HttpResponse.create().withEntity(HttpEntities.create(a.type(), a.bytes())))));
  }
}
