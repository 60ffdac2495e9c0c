package dev.profileengine.gateway.grpc;

import akka.actor.ClassicActorSystemProvider;
import akka.grpc.GrpcServiceException;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.stream.Materializer;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Sink;
import akka.util.ByteString;
import dev.profileengine.gateway.auth.AccessControl;
import dev.profileengine.gateway.auth.Scope;
import io.grpc.Status;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * In front of the generated gRPC handler, so that a request costs the node nothing before it is
 * known to be allowed: the API key is checked from the headers (the RPC's scope from its path) and
 * a refused call is answered at once, trailers-only, its body cancelled unread; an allowed call
 * goes on with its caller attached ({@link GrpcCaller}: the key is hashed once per call), and its
 * body passes through a check of the gRPC length prefixes that fails the call with
 * {@code RESOURCE_EXHAUSTED} as soon as a frame declares more than {@code maxMessage} bytes, before
 * the decoder would buffer it. Compressed requests are refused ({@code UNIMPLEMENTED}): a small
 * compressed frame can inflate past any limit. An RPC taking one request message has its body read
 * in full first (at most one message, so within {@code maxMessage}) and is refused
 * {@code INVALID_ARGUMENT} if it carries a second: Akka gRPC would take the first, drop the rest
 * and log an error.
 */
public final class GrpcGuard implements akka.japi.function.Function<HttpRequest, CompletionStage<HttpResponse>> {
  /** The service's path prefix: {@code /profileengine.v1.ProfileService/<Rpc>}. */
  static final String SERVICE = "profileengine.v1.ProfileService";

  private final akka.japi.function.Function<HttpRequest, CompletionStage<HttpResponse>> inner;
  private final AccessControl access;
  private final long maxMessage;
  private final java.time.Duration bodyTimeout;
  private final ClassicActorSystemProvider system;
  private final Materializer mat;

  /** {@code bodyTimeout}: how long a one-message RPC's request may take to arrive (it is held in memory meanwhile). */
  public GrpcGuard(akka.japi.function.Function<HttpRequest, CompletionStage<HttpResponse>> inner, AccessControl access, long maxMessage,
                   java.time.Duration bodyTimeout, ClassicActorSystemProvider system) {
    this.bodyTimeout = bodyTimeout;
    this.inner = inner;
    this.access = access;
    this.maxMessage = maxMessage;
    this.system = system;
    this.mat = Materializer.matFromSystem(system);
  }

  /** The scope an RPC needs; empty for what is not ours (server reflection, unknown paths: the handler answers those). */
  static Optional<Scope> scope(String path) {
    String prefix = "/" + SERVICE + "/";
    if (!path.startsWith(prefix)) return Optional.empty();
    return switch (path.substring(prefix.length())) {
      case "IngestEvents", "StreamEvents", "Identify", "Unmerge" -> Optional.of(Scope.INGEST);
      case "GetProfile", "SubscribeProfileChanges" -> Optional.of(Scope.READ);
      default -> Optional.empty();
    };
  }

  /** Whether an RPC of ours takes exactly one request message (all but the client-streaming StreamEvents). */
  static boolean singleRequest(String path) {
    String prefix = "/" + SERVICE + "/";
    if (!path.startsWith(prefix)) return false;
    return switch (path.substring(prefix.length())) {
      case "IngestEvents", "Identify", "Unmerge", "GetProfile", "SubscribeProfileChanges" -> true;
      default -> false;
    };
  }

  @Override
  public CompletionStage<HttpResponse> apply(HttpRequest request) throws Exception {
    Optional<String> encoding = request.getHeader("grpc-encoding").map(h -> h.value().strip());
    if (encoding.isPresent() && !encoding.get().equalsIgnoreCase("identity")) {
      return refuse(request, Status.UNIMPLEMENTED.withDescription("grpc-encoding " + encoding.get()
          + " is not accepted: send uncompressed messages"));
    }
    // Only this guard says who the caller is: whatever a client sent under that name is dropped.
    request = request.removeHeader(GrpcCaller.HEADER);
    Optional<Scope> scope = scope(request.getUri().path());
    if (scope.isPresent()) {
      // Cost 0: who and what only; the service charges the rate limit per event or read.
      AccessControl.Decision d = access.check(scope.get(), request.getHeader("authorization").map(h -> h.value()), 0);
      if (d instanceof AccessControl.Decision.Denied no) return refuse(request, GrpcStatus.of(no));
      request = GrpcCaller.attach(request, ((AccessControl.Decision.Allowed) d).caller());
    }
    boolean single = singleRequest(request.getUri().path());
    if (request.entity() instanceof akka.http.javadsl.model.HttpEntity.Strict strict) {
      // Already in memory (within the connection's frame limits): check it as it is.
      try {
        Framing framing = new Framing(maxMessage, single);
        framing.feed(strict.getData());
        framing.end();
      } catch (GrpcServiceException e) {
        return refuse(request, e.getStatus());
      }
      return served(request);
    }
    if (single) return whole(request);
    return served(request.withEntity(HttpEntities.createChunked(request.entity().getContentType(),
        request.entity().getDataBytes().via(limit(maxMessage, false, bodyTimeout)))));
  }

  /**
   * The services' answer. A path no service has is answered UNIMPLEMENTED naming the service, as an
   * unknown method of a known service is, instead of akka-grpc's bare HTTP 404 without a gRPC status.
   */
  private CompletionStage<HttpResponse> served(HttpRequest request) throws Exception {
    String path = request.getUri().path();
    return inner.apply(request).thenApply(response -> response.status().intValue() != 404 ? response
        : trailersOnly(Status.UNIMPLEMENTED.withDescription("unknown service " + service(path) + ": this port serves "
            + dev.profileengine.grpc.ProfileService.name + " and server reflection")));
  }

  /** The service part of a gRPC path ({@code /package.Service/Method}), at most 100 characters. */
  static String service(String path) {
    String p = path.startsWith("/") ? path.substring(1) : path;
    int slash = p.indexOf('/');
    String service = slash < 0 ? p : p.substring(0, slash);
    return service.length() > 100 ? service.substring(0, 100) + "..." : service;
  }

  /**
   * A one-message RPC: its body read to the end through the frame checks (refused at a second
   * frame's prefix or an oversized one), then handed on in memory, so a refusal comes before the
   * service runs. A client gone before its body ended gets CANCELLED, logged at debug.
   */
  private CompletionStage<HttpResponse> whole(HttpRequest request) {
    HttpRequest headers = request;
    return request.entity().getDataBytes().via(limit(maxMessage, true, bodyTimeout))
        .completionTimeout(bodyTimeout)
        .runFold(ByteString.emptyByteString(), ByteString::concat, mat)
        .thenCompose(body -> {
          try {
            return served(headers.withEntity(HttpEntities.create(headers.entity().getContentType(), body)));
          } catch (Exception e) {
            return CompletableFuture.<HttpResponse>failedFuture(e);
          }
        })
        .exceptionally(failure -> {
          Throwable t = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null ? failure.getCause() : failure;
          if (t instanceof GrpcServiceException refused) return trailersOnly(refused.getStatus());
          if (t instanceof java.util.concurrent.TimeoutException) {
            return trailersOnly(Status.DEADLINE_EXCEEDED.withDescription("message: the request did not arrive within " + bodyTimeout.toSeconds() + " s"));
          }
          if (!GrpcErrors.clientGone(t)) throw failure instanceof RuntimeException r ? r : new java.util.concurrent.CompletionException(failure);
          return trailersOnly(GrpcErrors.cancelled(t));
        });
  }

  /**
   * Answers {@code status} trailers-only without reading the body, which is cancelled (the HTTP/2
   * stream reset) a moment later: cancelled before the answer was written, akka-http failed the
   * whole connection instead of answering. Until then HTTP/2 flow control holds the client to
   * the stream's window.
   */
  private CompletionStage<HttpResponse> refuse(HttpRequest request, Status status) {
    akka.http.javadsl.model.RequestEntity body = request.entity();
    system.classicSystem().scheduler().scheduleOnce(RESET_AFTER, () -> body.getDataBytes().runWith(Sink.cancelled(), mat),
        system.classicSystem().dispatcher());
    return CompletableFuture.completedFuture(trailersOnly(status));
  }

  /** A gRPC trailers-only answer: HTTP 200, the status in the headers, no body (one HEADERS frame ending the stream). */
  static HttpResponse trailersOnly(Status status) {
    HttpResponse response = HttpResponse.create()
        .withEntity(HttpEntities.create(akka.http.javadsl.model.ContentTypes.create(akka.http.javadsl.model.MediaTypes.APPLICATION_GRPC_PROTO),
            ByteString.emptyByteString()))
        .addHeader(akka.http.javadsl.model.headers.RawHeader.create("grpc-status", Integer.toString(status.getCode().value())));
    String message = status.getDescription();
    return message == null ? response : response.addHeader(akka.http.javadsl.model.headers.RawHeader.create("grpc-message", percentEncode(message)));
  }

  /** grpc-message is percent-encoded: printable ASCII except '%' as is, everything else as %XX of its UTF-8 bytes. */
  static String percentEncode(String message) {
    StringBuilder b = new StringBuilder();
    for (byte c : message.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
      if (c >= 0x20 && c < 0x7f && c != '%') b.append((char) c);
      else b.append('%').append(String.format("%02X", c & 0xff));
    }
    return b.toString();
  }

  /** How long a refused call's body stays unread before its stream is reset: time for the answer to go out first. */
  static final java.time.Duration RESET_AFTER = java.time.Duration.ofSeconds(2);
  private static final String MESSAGE = "message";

  /**
   * Passes the bytes through unchanged while following the gRPC framing (1 byte compressed flag,
   * 4 bytes big-endian length, then the message); on the first length above {@code max} fails the
   * handler's side with RESOURCE_EXHAUSTED at once and resets the client's side
   * {@link #RESET_AFTER} later, reading nothing more in between.
   * {@code single}: a second message frame is refused INVALID_ARGUMENT as well; a message begun and
   * not complete within {@code messageTimeout} fails DEADLINE_EXCEEDED (it is held in memory
   * meanwhile, also on a streaming call).
   */
  static Flow<ByteString, ByteString, akka.NotUsed> limit(long max, boolean single, java.time.Duration messageTimeout) {
    return Flow.fromGraph(new LimitStage(max, single, messageTimeout));
  }

  private static final class LimitStage extends akka.stream.stage.GraphStage<akka.stream.FlowShape<ByteString, ByteString>> {
    private final long max;
    private final boolean single;
    private final java.time.Duration messageTimeout;
    private final akka.stream.Inlet<ByteString> in = akka.stream.Inlet.create("GrpcGuard.in");
    private final akka.stream.Outlet<ByteString> out = akka.stream.Outlet.create("GrpcGuard.out");
    private final akka.stream.FlowShape<ByteString, ByteString> shape = akka.stream.FlowShape.of(in, out);

    LimitStage(long max, boolean single, java.time.Duration messageTimeout) {
      this.max = max;
      this.single = single;
      this.messageTimeout = messageTimeout;
    }

    @Override
    public akka.stream.FlowShape<ByteString, ByteString> shape() {
      return shape;
    }

    @Override
    public akka.stream.stage.GraphStageLogic createLogic(akka.stream.Attributes attributes) {
      Framing framing = new Framing(max, single);
      return new akka.stream.stage.TimerGraphStageLogic(shape) {
        private boolean refused;

        {
          setHandler(in, new akka.stream.stage.AbstractInHandler() {
            @Override
            public void onPush() {
              ByteString bytes = grab(in);
              if (refused) return;
              int started = framing.started();
              try {
                framing.feed(bytes);
              } catch (GrpcServiceException e) {
                refuse(e);
                return;
              }
              // Timed from the first byte of the message still arriving (a new one restarts the clock).
              if (!framing.inFrame()) cancelTimer(MESSAGE);
              else if (framing.started() != started || !isTimerActive(MESSAGE)) scheduleOnce(MESSAGE, messageTimeout);
              push(out, bytes);
            }

            @Override
            public void onUpstreamFinish() {
              if (refused) {
                completeStage();
                return;
              }
              try {
                framing.end();
              } catch (GrpcServiceException e) {
                failStage(e);
                return;
              }
              completeStage();
            }
          });
          setHandler(out, new akka.stream.stage.AbstractOutHandler() {
            @Override
            public void onPull() {
              pull(in);
            }

            @Override
            public void onDownstreamFinish(Throwable cause) {
              if (!refused) cancel(in, cause);
            }
          });
        }

        private void refuse(GrpcServiceException e) {
          refused = true;
          cancelTimer(MESSAGE);
          fail(out, e);
          scheduleOnce("reset", RESET_AFTER);
        }

        @Override
        public void onTimer(Object key) {
          if (key.equals(MESSAGE)) {
            refuse(new GrpcServiceException(Status.DEADLINE_EXCEEDED.withDescription(
                "message: not complete within " + messageTimeout.toSeconds() + " s of its first byte (PROFILE_HTTP_BODY_TIMEOUT)")));
            return;
          }
          completeStage();
        }
      };
    }
  }

  /** Where the parser is in the framing: reading a 5-byte prefix, or skipping a message's bytes. */
  static final class Framing {
    private final long max;
    private final boolean single;
    private int frames;
    private int prefixRead;
    private long length;
    private long remaining;

    Framing(long max) {
      this(max, false);
    }

    Framing(long max, boolean single) {
      this.max = max;
      this.single = single;
    }

    /** How many frames have begun so far. */
    int started() {
      return frames;
    }

    /** Whether a frame has begun and not ended: its bytes are on their way. */
    boolean inFrame() {
      return prefixRead > 0 || remaining > 0;
    }

    /** At the end of the body: fails if it ended inside a frame (the decoder would fail with an internal error). */
    void end() {
      if (prefixRead > 0 || remaining > 0) {
        throw new GrpcServiceException(Status.INVALID_ARGUMENT.withDescription(prefixRead > 0
            ? "message: the body ends inside a gRPC frame's 5-byte prefix"
            : "message: the body ends " + remaining + " bytes short of the message its gRPC frame declared"));
      }
    }

    void feed(ByteString bytes) {
      int pos = 0;
      int size = bytes.size();
      while (pos < size) {
        if (remaining > 0) {
          long skip = Math.min(remaining, size - pos);
          remaining -= skip;
          pos += (int) skip;
          continue;
        }
        int b = bytes.apply(pos++) & 0xff;
        if (prefixRead == 0 && ++frames > 1 && single) {
          throw new GrpcServiceException(Status.INVALID_ARGUMENT.withDescription(
              "message: this RPC takes one request message, the call carried more"));
        }
        if (prefixRead == 0 && b != 0) {
          // Compressed requests are refused at the headers, so a set flag is a malformed frame.
          throw new GrpcServiceException(Status.INVALID_ARGUMENT.withDescription(
              "message: the gRPC frame's compressed flag is " + b + " without a grpc-encoding: send uncompressed messages (flag 0)"));
        }
        if (prefixRead > 0) length = (length << 8) | b; // byte 0 is the compressed flag
        if (++prefixRead == 5) {
          if (length > max) {
            throw new GrpcServiceException(Status.RESOURCE_EXHAUSTED.withDescription("message of " + length
                + " bytes exceeds the limit of " + max + " bytes (PROFILE_GRPC_MAX_MESSAGE)"));
          }
          remaining = length;
          prefixRead = 0;
          length = 0;
        }
      }
    }
  }
}
