package dev.profileengine.gateway.http;

import akka.http.javadsl.model.HttpEntity;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.MediaType;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.RetryAfter;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import akka.http.scaladsl.model.EntityStreamSizeException;
import akka.http.scaladsl.model.IllegalRequestException;
import akka.stream.Materializer;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The one way a request body reaches a route: declared as JSON (or not declared at all), decoded
 * from {@code gzip} or {@code deflate} when the client says so, and at most {@code limit} bytes once
 * decoded (413 beyond, so a small compressed body cannot expand without bound). A body declared as
 * anything else is 415 naming {@code Content-Type}; an unknown {@code Content-Encoding} is 415 naming
 * it (see {@link ErrorHandling}); UTF-8 is checked where the JSON is parsed.
 *
 * <p>A body is held in memory while it arrives, so a client dripping one byte at a time would hold
 * up to a body's limit for as long as it likes: a body must arrive within {@code timeout} (408), and
 * the bodies being read on the node together stay within a tenth of the heap (503 with Retry-After).
 */
final class JsonBodies {
  private static final AllDirectives D = new AllDirectives() {};
  /** Bytes of bodies being read, node-wide (one JVM serves one node outside tests). */
  private static final AtomicLong BUFFERED = new AtomicLong();
  private static final long BUDGET = Runtime.getRuntime().maxMemory() / 10;

  private final Duration timeout;

  JsonBodies(Duration timeout) {
    this.timeout = timeout;
  }

  Route read(long limit, Function<byte[], Route> inner) {
    return D.extractRequest(request -> {
      String why = contentTypeProblem(request);
      if (why != null) return ErrorHandling.error(StatusCodes.UNSUPPORTED_MEDIA_TYPE, "Content-Type", why);
      return D.decodeRequest(() -> D.withSizeLimit(limit, () -> D.extractRequestEntity(entity -> {
        // Most bodies arrive whole with their headers: nothing to wait for or to budget.
        if (entity instanceof HttpEntity.Strict strict) {
          return strict.getData().size() > limit ? ErrorHandling.tooLarge(limit) : inner.apply(strict.getData().toArray());
        }
        return D.extractMaterializer(mat -> D.onComplete(collect(entity.getDataBytes(), mat),
            bytes -> bytes.isSuccess() ? inner.apply(bytes.get()) : refused(bytes.failed().get(), limit)));
      })));
    });
  }

  private CompletionStage<byte[]> collect(Source<ByteString, ?> body, Materializer mat) {
    AtomicLong mine = new AtomicLong();
    return body
        .map(chunk -> {
          if (BUFFERED.addAndGet(chunk.size()) > BUDGET) {
            BUFFERED.addAndGet(-chunk.size());
            throw new OverBudget();
          }
          mine.addAndGet(chunk.size());
          return chunk;
        })
        .completionTimeout(timeout)
        .runFold(ByteString.emptyByteString(), ByteString::concat, mat)
        .thenApply(ByteString::toArray)
        .whenComplete((b, e) -> BUFFERED.addAndGet(-mine.get()));
  }

  private Route refused(Throwable failure, long limit) {
    Throwable e = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (e instanceof EntityStreamSizeException s) return ErrorHandling.tooLarge(s.limit());
    if (e instanceof TimeoutException) {
      return ErrorHandling.error(StatusCodes.REQUEST_TIMEOUT, "body", "the body did not arrive within " + timeout.toSeconds() + " s");
    }
    if (e instanceof OverBudget) {
      return D.respondWithHeader(RetryAfter.create(1L), () -> ErrorHandling.error(StatusCodes.SERVICE_UNAVAILABLE, "body",
          "the node is reading too many request bodies at once: retry"));
    }
    if (e instanceof IllegalRequestException bad) {
      // Akka's decoder reports any failure of the decoded stream as a corrupt encoding, the size
      // limit's too (its message kept only as the detail): a body too large once decoded is a 413.
      if (bad.info().detail().contains("EntityStreamSizeException")) return ErrorHandling.tooLarge(limit);
      return ErrorHandling.error(StatusCodes.BAD_REQUEST, "body", bad.info().summary());
    }
    throw e instanceof RuntimeException r ? r : new CompletionException(e);
  }

  /** The bodies being read would pass the node's share of the heap. */
  private static final class OverBudget extends RuntimeException {
    OverBudget() {
      super("request bodies over budget", null, false, false);
    }
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
