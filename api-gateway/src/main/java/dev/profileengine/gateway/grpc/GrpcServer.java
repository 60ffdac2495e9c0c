package dev.profileengine.gateway.grpc;

import akka.Done;
import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.event.LoggingAdapter;
import akka.http.impl.engine.http2.Http2Blueprint$;
import akka.http.impl.engine.server.ServerTerminator;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.japi.Pair;
import akka.japi.function.Function;
import akka.stream.KillSwitches;
import akka.stream.Materializer;
import akka.stream.SharedKillSwitch;
import akka.stream.javadsl.BidiFlow;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Tcp;
import akka.util.ByteString;
import dev.profileengine.gateway.http.Listener;
import dev.profileengine.gateway.http.RequestHead;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import scala.concurrent.duration.FiniteDuration;
import scala.jdk.javaapi.FutureConverters;

/**
 * The gRPC port: Akka HTTP's HTTP/2 server stack (framing, HPACK, streams, flow control, its
 * settings under {@code akka.http.server.http2}) over a TCP binding of our own, so that each
 * connection's bytes pass an {@link Http2Guard}: a client must send the HTTP/2 preface
 * within the header timeout, and its header blocks stay within the HTTP port's limits. Akka's own binding ({@code newServerAt(...).bind}) keeps a silent
 * connection until its idle timeout, and {@code max-connections} of them shut the port for
 * everyone (the HTTP port has {@code http.ConnectionGuard} for the same). The stack is Akka's
 * internal {@code Http2Blueprint}, built as Akka's binding builds it for cleartext HTTP/2; the rest
 * is as that binding: {@code max-connections}, {@code backlog}, socket options, idle timeout, and a
 * termination that sends GOAWAY and lets calls in flight finish within the deadline.
 */
public final class GrpcServer {
  private final Listener listener;
  private final Set<ServerTerminator> open;
  private final SharedKillSwitch killSwitch;
  private final ActorSystem<?> system;
  private final AtomicLong prefaceTimeouts;
  private final AtomicLong headerBlocksRefused;

  private GrpcServer(Tcp.ServerBinding tcp, Set<ServerTerminator> open, SharedKillSwitch killSwitch, ActorSystem<?> system,
                     AtomicLong prefaceTimeouts, AtomicLong headerBlocksRefused) {
    this.listener = new Listener(tcp);
    this.open = open;
    this.killSwitch = killSwitch;
    this.system = system;
    this.prefaceTimeouts = prefaceTimeouts;
    this.headerBlocksRefused = headerBlocksRefused;
  }

  /** Binds {@code host:port} and serves each connection's calls with {@code handler} (a failed future is a 500, as Akka's binding answers). */
  public static CompletionStage<GrpcServer> bind(ActorSystem<?> system, String host, int port, Duration prefaceTimeout,
                                                 Function<HttpRequest, CompletionStage<HttpResponse>> handler) {
    akka.http.scaladsl.settings.ServerSettings settings = akka.http.scaladsl.settings.ServerSettings.apply(system.settings().config());
    LoggingAdapter log = system.classicSystem().log(); // as Akka's binding logs: PeerFaultFilter knows its lines
    Materializer materializer = Materializer.matFromSystem(system);
    SharedKillSwitch killSwitch = KillSwitches.shared("grpc-server");
    Set<ServerTerminator> open = ConcurrentHashMap.newKeySet();
    AtomicLong prefaceTimeouts = new AtomicLong();
    AtomicLong headerBlocksRefused = new AtomicLong();
    // A header block gets the HTTP port's limits: its head's bytes and Akka's max-header-count.
    Http2Guard http2Guard = new Http2Guard(prefaceTimeout, RequestHead.MAX_BYTES, settings.parserSettings().maxHeaderCount(),
        prefaceTimeouts, headerBlocksRefused);
    BidiFlow<ByteString, ByteString, ByteString, ByteString, NotUsed> guard = BidiFlow.fromGraph(http2Guard)
        .atop(BidiFlow.fromFlows(killSwitch.<ByteString>flow(), killSwitch.<ByteString>flow()));
    Flow<ByteString, ByteString, ServerTerminator> guarded = guard.join(http2(system, settings, log, handler), Keep.<NotUsed, ServerTerminator>right());
    Flow<ByteString, ByteString, Pair<ServerTerminator, CompletionStage<Done>>> connection = guarded.watchTermination(Keep.both());
    return Tcp.get(system).bind(host, port, settings.backlog(), scala.jdk.javaapi.CollectionConverters.asJava(settings.socketOptions()), false,
            Optional.empty())
        .mapAsyncUnordered(settings.maxConnections(), incoming -> {
          CompletionStage<Done> closed;
          try {
            Pair<ServerTerminator, CompletionStage<Done>> running = incoming.handleWith(connection, materializer);
            open.add(running.first());
            closed = running.second().whenComplete((done, failure) -> open.remove(running.first()));
          } catch (RuntimeException e) {
            closed = CompletableFuture.failedFuture(e);
          }
          // A connection's own failure (reset, idle timeout) ends that connection only.
          return closed.handle((done, failure) -> Done.getInstance());
        })
        .to(Sink.ignore())
        .run(materializer)
        .thenApply(binding -> new GrpcServer(binding, open, killSwitch, system, prefaceTimeouts, headerBlocksRefused));
  }

  /** Akka's HTTP/2 server stack joined with the handler: bytes in, bytes out, as Akka's binding builds it for cleartext. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Flow<ByteString, ByteString, ServerTerminator> http2(ActorSystem<?> system, akka.http.scaladsl.settings.ServerSettings settings,
                                                                     LoggingAdapter log, Function<HttpRequest, CompletionStage<HttpResponse>> handler) {
    akka.actor.ActorSystem classic = system.classicSystem();
    scala.Function1<akka.http.scaladsl.model.HttpRequest, scala.concurrent.Future<akka.http.scaladsl.model.HttpResponse>> scalaHandler =
        request -> FutureConverters.asScala(Listener.answer(handler, request).thenApply(r -> (akka.http.scaladsl.model.HttpResponse) r));
    Flow<akka.http.scaladsl.model.HttpRequest, akka.http.scaladsl.model.HttpResponse, NotUsed> handle = Http2Blueprint$.MODULE$.handleWithStreamIdHeader(
        settings.http2Settings().maxConcurrentStreams(), scalaHandler, system.executionContext()).asJava();
    akka.stream.scaladsl.BidiFlow<akka.http.scaladsl.model.HttpResponse, ByteString, ByteString, akka.http.scaladsl.model.HttpRequest, ServerTerminator> stack =
        Http2Blueprint$.MODULE$.serverStack(settings, log, (scala.collection.immutable.Seq) scala.collection.immutable.Nil$.MODULE$,
            false, akka.http.impl.engine.http2.Http2$.MODULE$.apply(classic).telemetry(), akka.http.scaladsl.Http.apply(classic).dateHeaderRendering());
    BidiFlow<akka.http.scaladsl.model.HttpResponse, ByteString, ByteString, akka.http.scaladsl.model.HttpRequest, ServerTerminator> javaStack = stack.asJava();
    Flow<ByteString, ByteString, ServerTerminator> joined = handle.joinMat(javaStack, Keep.<NotUsed, ServerTerminator>right());
    return joined.addAttributes(akka.http.scaladsl.Http$.MODULE$.cancellationStrategyAttributeForDelay(settings.streamCancellationDelay()));
  }

  public InetSocketAddress localAddress() {
    return listener.tcp().localAddress();
  }

  /** Connections open now (past their preface or not). */
  public long openConnections() {
    return open.size();
  }

  /** Connections closed because no HTTP/2 preface arrived in time, since the start. */
  public long prefaceTimeouts() {
    return prefaceTimeouts.get();
  }

  /** Connections closed because a header block passed the limits, since the start. */
  public long headerBlocksRefused() {
    return headerBlocksRefused.get();
  }

  /**
   * Stops accepting and ends every connection as Akka's binding does: GOAWAY, calls in flight
   * finish; whatever is still open after {@code deadline} is cut.
   */
  public CompletionStage<Done> terminate(Duration deadline) {
    FiniteDuration d = FiniteDuration.apply(deadline.toMillis(), TimeUnit.MILLISECONDS);
    return listener.unbind().thenCompose(u -> {
      CompletableFuture<?>[] ends = open.stream()
          .map(t -> FutureConverters.asJava(t.terminate(d, system.executionContext())).toCompletableFuture())
          .toArray(CompletableFuture[]::new);
      return CompletableFuture.allOf(ends).handle((x, failure) -> Done.getInstance())
          .completeOnTimeout(Done.getInstance(), deadline.toMillis() + 1_000, TimeUnit.MILLISECONDS)
          .thenApply(done -> {
            killSwitch.shutdown();
            return Done.getInstance();
          });
    });
  }

  /** As Akka's binding: unbind in service-unbind, then {@link #terminate} in service-requests-done. */
  public void addToCoordinatedShutdown(Duration deadline, ActorSystem<?> system) {
    listener.addToCoordinatedShutdown("grpc", system, () -> terminate(deadline));
  }
}
