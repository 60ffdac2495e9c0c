package dev.profileengine.gateway.grpc;

import akka.actor.ActorSystem;
import akka.grpc.Trailers;
import akka.grpc.javadsl.GrpcExceptionHandler;
import io.grpc.Status;

/**
 * How a failed call is answered: a message that is not valid protobuf for its RPC is the client's
 * fault ({@code INVALID_ARGUMENT}, naming what was wrong), never {@code INTERNAL}; a call whose
 * client closed the connection is {@code CANCELLED} and logged at debug level (a client that drops
 * its connections must not fill the log with errors); everything else as Akka gRPC maps it
 * ({@link akka.grpc.GrpcServiceException} keeps its status).
 */
public final class GrpcErrors {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(GrpcErrors.class);

  private GrpcErrors() {}

  public static akka.japi.Function<ActorSystem, akka.japi.Function<Throwable, Trailers>> mapper() {
    akka.japi.Function<ActorSystem, akka.japi.Function<Throwable, Trailers>> fallback = GrpcExceptionHandler.defaultMapper();
    return system -> {
      akka.japi.Function<Throwable, Trailers> standard = fallback.apply(system);
      return error -> {
        for (Throwable t = error; t != null; t = t.getCause()) {
          if (t instanceof akka.grpc.GrpcServiceException) return standard.apply(t);
          if (clientGone(t)) return new Trailers(cancelled(t));
          if (t instanceof com.google.protobuf.InvalidProtocolBufferException bad) {
            return new Trailers(Status.INVALID_ARGUMENT.withDescription("message: not a valid protobuf message for this RPC: " + bad.getMessage()));
          }
          if (t == t.getCause()) break;
        }
        Trailers mapped = standard.apply(error);
        if (mapped.status().getCode() == Status.Code.INTERNAL) log.error("gRPC call failed: {}", error.toString(), error);
        return mapped;
      };
    };
  }

  /** The status of a call its client ended, logged at debug only: a client dropping connections must not fill the log. */
  static Status cancelled(Throwable t) {
    log.debug("gRPC call ended: the client closed the connection ({})", t.getMessage());
    return Status.CANCELLED.withDescription("the client closed the connection");
  }

  /**
   * A call the client ended: it cancelled the stream, closed the connection while the request was
   * still arriving (Akka HTTP's anonymous exception for it is known by its message), or its TCP
   * connection closed under the call (FIN or RST: Akka's StreamTcpException "The connection closed").
   */
  static boolean clientGone(Throwable t) {
    for (; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof akka.http.scaladsl.model.http2.PeerClosedStreamException) return true;
      String message = String.valueOf(t.getMessage());
      if (t.getClass().getName().startsWith("akka.http.impl.engine.http2.")
          && message.contains("connection was shut down while the request was still ongoing")) return true;
      if (t instanceof akka.stream.StreamTcpException && message.startsWith("The connection closed")) return true;
    }
    return false;
  }
}
