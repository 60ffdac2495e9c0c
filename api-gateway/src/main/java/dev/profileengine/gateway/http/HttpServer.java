package dev.profileengine.gateway.http;

import akka.Done;
import akka.actor.typed.ActorSystem;
import akka.event.LoggingAdapter;
import akka.http.javadsl.Http;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.settings.ServerSettings;
import akka.japi.function.Function;
import akka.stream.Materializer;
import akka.stream.SharedKillSwitch;
import akka.stream.KillSwitches;
import akka.stream.TLSProtocol;
import akka.stream.javadsl.BidiFlow;
import akka.stream.BidiShape;
import akka.stream.FlowShape;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.GraphDSL;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.TLSPlacebo;
import akka.stream.javadsl.Tcp;
import akka.util.ByteString;
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

/**
 * The HTTP/1.1 server of the API port: Akka HTTP's server layer (parsing, rendering, request
 * timeout, the parsing settings) over a TCP binding of our own, so that each connection gets a
 * deadline on its request heads ({@link ConnectionGuard}), which {@code Http.newServerAt(...).bind}
 * cannot be given. The rest is as Akka's binding: {@code akka.http.server.max-connections},
 * {@code idle-timeout}, {@code backlog} and socket options; termination stops accepting, closes idle
 * connections and ends busy ones after their response ({@code Connection: close}).
 */
public final class HttpServer {
  private final Listener listener;
  private final Connections connections;
  private final SharedKillSwitch killSwitch;
  private final Stats stats;

  /** The open connections, and a future completed when the last one ends after {@link #closeAll}. */
  private static final class Connections implements ConnectionGuard.Registry {
    private final Set<ConnectionGuard.Handle> open;
    private final CompletableFuture<Done> allClosed = new CompletableFuture<>();
    private volatile boolean closing;

    Connections(Set<ConnectionGuard.Handle> open) {
      this.open = open;
    }

    @Override
    public void opened(ConnectionGuard.Handle connection) {
      open.add(connection);
      if (closing) connection.close(); // accepted just before the unbind
    }

    @Override
    public void closed(ConnectionGuard.Handle connection) {
      open.remove(connection);
      if (closing && open.isEmpty()) allClosed.complete(Done.getInstance());
    }

    /** Closes each connection (busy ones after their response); completes when none is left. */
    CompletableFuture<Done> closeAll() {
      closing = true;
      open.forEach(ConnectionGuard.Handle::close);
      if (open.isEmpty()) allClosed.complete(Done.getInstance());
      return allClosed;
    }
  }

  /** Connections open now and heads that missed their deadline since the start, for /metrics. */
  public static final class Stats {
    private final Set<ConnectionGuard.Handle> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong headTimeouts = new AtomicLong();

    public long open() {
      return open.size();
    }

    public long headTimeouts() {
      return headTimeouts.get();
    }
  }

  private HttpServer(Tcp.ServerBinding tcp, Connections connections, SharedKillSwitch killSwitch, Stats stats) {
    this.listener = new Listener(tcp);
    this.connections = connections;
    this.killSwitch = killSwitch;
    this.stats = stats;
  }

  /**
   * Binds {@code host:port} and serves each connection with {@code handler}, which must answer
   * every request itself (a failed future is answered 500, as Akka's binding does).
   */
  public static CompletionStage<HttpServer> bind(ActorSystem<?> system, String host, int port, Duration headTimeout, Stats stats,
                                                 Function<HttpRequest, CompletionStage<HttpResponse>> handler) {
    ServerSettings settings = ServerSettings.create(system.settings().config());
    LoggingAdapter log = limited(system);
    Materializer materializer = Materializer.matFromSystem(system);
    Connections connections = new Connections(stats.open);
    SharedKillSwitch killSwitch = KillSwitches.shared("http-server");
    BidiFlow<ByteString, ByteString, ByteString, ByteString, akka.NotUsed> idle =
        settings.getTimeouts().idleTimeout() instanceof FiniteDuration finite
            ? BidiFlow.bidirectionalIdleTimeout(Duration.ofNanos(finite.toNanos()))
            : BidiFlow.identity();
    // Composed once and materialized per connection, as Akka's own binding does: composing the
    // server layer per connection cost a third of the rate of clients that close after each request.
    Flow<ByteString, ByteString, CompletionStage<Done>> connection = idle
        .atop(BidiFlow.fromFlows(killSwitch.<ByteString>flow(), killSwitch.<ByteString>flow()))
        .join(guarded(system, settings, log, new ConnectionGuard(headTimeout, stats.headTimeouts, connections), handler))
        .watchTermination(Keep.right());
    return Tcp.get(system).bind(host, port, settings.getBacklog(), settings.getSocketOptions(), false, Optional.empty())
        .mapAsyncUnordered(settings.getMaxConnections(), incoming -> {
          CompletionStage<Done> closed;
          try {
            closed = incoming.handleWith(connection, materializer);
          } catch (RuntimeException e) {
            closed = CompletableFuture.failedFuture(e);
          }
          // A connection's own failure (reset, idle timeout) ends that connection only.
          return closed.handle((done, failure) -> Done.getInstance());
        })
        .to(Sink.ignore())
        .run(materializer)
        .thenApply(binding -> new HttpServer(binding, connections, killSwitch, stats));
  }

  /**
   * The server layer's log: its warnings and errors are about one client's request (an early
   * response to a body never sent, a request it cannot represent), so they are limited as parse
   * failures are ({@link ParsingErrors#warnLimited}): a client sending them in a loop cannot fill
   * the log. The rest, and this class's own messages, as any logger's.
   */
  private static LoggingAdapter limited(ActorSystem<?> system) {
    return new akka.event.BusLogging(system.classicSystem().eventStream(), HttpServer.class.getName(), HttpServer.class) {
      @Override
      public void notifyWarning(String message) {
        ParsingErrors.warnLimited("HTTP server: {}", message);
      }

      @Override
      public void notifyWarning(Throwable cause, String message) {
        notifyWarning(message + ": " + cause);
      }

      @Override
      public void notifyError(String message) {
        notifyWarning(message);
      }

      @Override
      public void notifyError(Throwable cause, String message) {
        notifyWarning(message + ": " + cause);
      }
    };
  }

  /** Client bytes in, bytes out: the guard around Akka's server layer and the handler. */
  static Flow<ByteString, ByteString, akka.NotUsed> guarded(ActorSystem<?> system, ServerSettings settings, LoggingAdapter log, ConnectionGuard guard,
                                                                     Function<HttpRequest, CompletionStage<HttpResponse>> handler) {
    BidiFlow<HttpResponse, ByteString, ByteString, HttpRequest, akka.NotUsed> layer =
        Http.get(system).serverLayer(settings, Optional.empty(), log).atop(placebo())
            // A layer stage failing on one client's request is reported by the layer (limited,
            // above), not once more with its stack trace by the stream.
            .addAttributes(akka.stream.Attributes.createLogLevels(akka.stream.Attributes.logLevelOff(), akka.stream.Attributes.logLevelOff(),
                akka.stream.Attributes.logLevelDebug()));
    Flow<HttpRequest, HttpResponse, akka.NotUsed> answer = Flow.<HttpRequest>create()
        .mapAsync(settings.getPipeliningLimit(), request -> Listener.answer(handler, request));
    return Flow.fromGraph(GraphDSL.create(b -> {
      ConnectionGuard.Ports g = b.add(guard);
      BidiShape<HttpResponse, ByteString, ByteString, HttpRequest> l = b.add(layer);
      FlowShape<HttpRequest, HttpResponse> a = b.add(answer);
      b.from(g.toLayer).toInlet(l.in2());
      b.from(l.out2()).toInlet(g.requestIn);
      b.from(g.requestOut).toInlet(a.in());
      b.from(a.out()).toInlet(g.responseIn);
      b.from(g.responseOut).toInlet(l.in1());
      b.from(l.out1()).toInlet(g.fromLayer);
      return FlowShape.of(g.fromClient, g.toClient);
    }));
  }

  // The server layer speaks TLS records; the placebo passes bytes through as a session without TLS.
  @SuppressWarnings({"unchecked", "rawtypes"})
  private static BidiFlow<TLSProtocol.SslTlsOutbound, ByteString, ByteString, TLSProtocol.SslTlsInbound, akka.NotUsed> placebo() {
    return (BidiFlow) TLSPlacebo.getInstance();
  }

  public InetSocketAddress localAddress() {
    return listener.tcp().localAddress();
  }

  public Stats stats() {
    return stats;
  }

  /**
   * Stops accepting and ends every connection: idle ones at once, busy ones after their response;
   * whatever is still open after {@code deadline} is cut.
   */
  public CompletionStage<Done> terminate(Duration deadline) {
    return listener.unbind().thenCompose(unbound -> {
      return connections.closeAll()
          .completeOnTimeout(Done.getInstance(), deadline.toMillis(), TimeUnit.MILLISECONDS)
          .thenApply(done -> {
            killSwitch.shutdown();
            return Done.getInstance();
          });
    });
  }

  /** As Akka's binding: unbind in service-unbind, then {@link #terminate} in service-requests-done. */
  public void addToCoordinatedShutdown(Duration deadline, ActorSystem<?> system) {
    listener.addToCoordinatedShutdown("http", system, () -> terminate(deadline));
  }
}
