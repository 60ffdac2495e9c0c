package dev.profileengine.gateway.http;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.japi.function.Function;
import akka.stream.javadsl.Tcp;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * What the HTTP and the gRPC port's own TCP bindings share with Akka's: the handler's failures
 * answered 500, an unbind done once, and both steps of a stop hooked into coordinated shutdown.
 */
public final class Listener {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Listener.class);
  private final Tcp.ServerBinding tcp;
  private CompletionStage<Done> unbound;

  public Listener(Tcp.ServerBinding tcp) {
    this.tcp = tcp;
  }

  public Tcp.ServerBinding tcp() {
    return tcp;
  }

  /** Stops accepting (once, whoever asks first). */
  public synchronized CompletionStage<Done> unbind() {
    if (unbound == null) unbound = tcp.unbind().thenApply(u -> Done.getInstance());
    return unbound;
  }

  /** As Akka's binding: unbind in service-unbind, then {@code terminate} in service-requests-done. */
  public void addToCoordinatedShutdown(String name, ActorSystem<?> system, Supplier<CompletionStage<Done>> terminate) {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    int port = tcp.localAddress().getPort();
    shutdown.addTask(CoordinatedShutdown.PhaseServiceUnbind(), name + "-unbind-" + port, this::unbind);
    shutdown.addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), name + "-terminate-" + port, terminate::get);
  }

  /** The handler's answer; a failure of the handler is a 500, as Akka's binding answers. */
  public static CompletionStage<HttpResponse> answer(Function<HttpRequest, CompletionStage<HttpResponse>> handler, HttpRequest request) {
    try {
      return handler.apply(request).exceptionally(Listener::internalError);
    } catch (Exception e) {
      return CompletableFuture.completedFuture(internalError(e));
    }
  }

  /** A handler that failed: the node's own fault, logged in full every time. */
  private static HttpResponse internalError(Throwable e) {
    LOG.error("Internal server error, sending 500 response", e);
    return HttpResponse.create().withStatus(StatusCodes.INTERNAL_SERVER_ERROR);
  }
}
