package dev.profileengine.gateway.grpc;

import akka.actor.ClassicActorSystemProvider;
import akka.grpc.GrpcServiceException;
import akka.grpc.javadsl.GrpcExceptionHandler;
import akka.grpc.javadsl.GrpcMarshalling;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.japi.Pair;
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
 * a refused call is answered at once, trailers-only, its body cancelled unread; an allowed call's
 * body passes through a check of the gRPC length prefixes that fails the call with
 * {@code RESOURCE_EXHAUSTED} as soon as a frame declares more than {@code maxMessage} bytes, before
 * the decoder would buffer it. Compressed requests are refused ({@code UNIMPLEMENTED}): a small
 * compressed frame can inflate past any limit.
 */
public final class GrpcGuard implements akka.japi.function.Function<HttpRequest, CompletionStage<HttpResponse>> {
  /** The service's path prefix: {@code /profileengine.v1.ProfileService/<Rpc>}. */
  static final String SERVICE = "profileengine.v1.ProfileService";

  private final akka.japi.function.Function<HttpRequest, CompletionStage<HttpResponse>> inner;
  private final AccessControl access;
  private final long maxMessage;
  private final ClassicActorSystemProvider system;
  private final Materializer mat;

  public GrpcGuard(akka.japi.function.Function<HttpRequest, CompletionStage<HttpResponse>> inner, AccessControl access, long maxMessage,
                   ClassicActorSystemProvider system) {
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
      case "IngestEvents", "StreamEvents" -> Optional.of(Scope.INGEST);
      case "GetProfile", "SubscribeProfileChanges" -> Optional.of(Scope.READ);
      default -> Optional.empty();
    };
  }

  @Override
  public CompletionStage<HttpResponse> apply(HttpRequest request) throws Exception {
    Optional<String> encoding = request.getHeader("grpc-encoding").map(h -> h.value().strip());
    if (encoding.isPresent() && !encoding.get().equalsIgnoreCase("identity")) {
      return refuse(request, Status.UNIMPLEMENTED.withDescription("grpc-encoding " + encoding.get()
          + " is not accepted: send uncompressed messages"));
    }
    Optional<Scope> scope = scope(request.getUri().path());
    if (scope.isPresent()) {
      // Cost 0: who and what only; the service charges the rate limit per event or read.
      AccessControl.Decision d = access.check(scope.get(), request.getHeader("authorization").map(h -> h.value()), 0);
      if (d instanceof AccessControl.Decision.Denied no) return refuse(request, ProfileGrpcService.status(no));
    }
    if (request.entity() instanceof akka.http.javadsl.model.HttpEntity.Strict strict) {
      // Already in memory (within the connection's frame limits): check it as it is.
      try {
        new Framing(maxMessage).feed(strict.getData());
      } catch (GrpcServiceException e) {
        return refuse(request, e.getStatus());
      }
      return inner.apply(request);
    }
    return inner.apply(request.withEntity(HttpEntities.createChunked(request.entity().getContentType(),
        request.entity().getDataBytes().via(limit(maxMessage)))));
  }

  /** Answers {@code status} trailers-only without reading the body: cancelling it resets the HTTP/2 stream. */
  private CompletionStage<HttpResponse> refuse(HttpRequest request, Status status) {
    request.entity().getDataBytes().runWith(Sink.cancelled(), mat);
    GrpcServiceException error = new GrpcServiceException(status);
    return GrpcMarshalling.<HttpResponse>negotiated(request, (reader, writer) ->
            CompletableFuture.completedFuture(GrpcExceptionHandler.standard(error, writer, system)))
        .orElseGet(() -> CompletableFuture.completedFuture(HttpResponse.create()
            .withStatus(akka.http.javadsl.model.StatusCodes.UNSUPPORTED_MEDIA_TYPE)));
  }

  /**
   * Passes the bytes through unchanged while following the gRPC framing (1 byte compressed flag,
   * 4 bytes big-endian length, then the message); fails on the first length above {@code max}.
   */
  public static Flow<ByteString, ByteString, akka.NotUsed> limit(long max) {
    return Flow.<ByteString>create().statefulMap(() -> new Framing(max), (state, bytes) -> {
      state.feed(bytes);
      return Pair.create(state, bytes);
    }, state -> Optional.empty());
  }

  /** Where the parser is in the framing: reading a 5-byte prefix, or skipping a message's bytes. */
  static final class Framing {
    private final long max;
    private int prefixRead;
    private long length;
    private long remaining;

    Framing(long max) {
      this.max = max;
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
