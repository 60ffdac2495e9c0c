package dev.profileengine.gateway.http;

import akka.NotUsed;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.headers.Connection;
import akka.stream.AbstractShape;
import akka.stream.Attributes;
import akka.stream.Inlet;
import akka.stream.Outlet;
import akka.stream.Shape;
import akka.stream.stage.AbstractInHandler;
import akka.stream.stage.AbstractOutHandler;
import akka.stream.stage.AsyncCallback;
import akka.stream.stage.GraphStage;
import akka.stream.stage.TimerGraphStageLogic;
import akka.util.ByteString;
import dev.profileengine.gateway.logging.LogContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One HTTP connection's guard, around Akka's server layer: it sees the client's bytes on their way
 * to the layer, and the requests and responses between the layer and the handler.
 *
 * <p>A deadline on each request's head: from the connection's start, and from the first byte after
 * the last response went out, the layer must have parsed a whole head within {@code timeout}, else
 * the connection is closed ({@code 408} naming {@code headers} if part of a head had arrived).
 * Without it a client sending a header byte every few seconds holds a connection for hours
 * (Slowloris; Akka HTTP has no such setting, akka-http#813). Bytes arriving while a request awaits
 * its response (its body, a pipelined request) or while a streamed response is being sent start no
 * deadline: the body has its own timeout, and a 408 must not land in the middle of a stream.
 *
 * <p>The server's termination: an idle connection is closed at once, a busy one after its
 * response, which says {@code Connection: close}. And each head that starts while the connection is
 * idle is held until it has ended and checked ({@link RequestHead}) before the layer sees it.
 */
final class ConnectionGuard extends GraphStage<ConnectionGuard.Ports> {
  private static final String TIMER = "head";
  private static final Connection CLOSE = Connection.create("close");

  /** The guard's ports: bytes client -> layer and layer -> client, requests layer -> handler, responses handler -> layer. */
  static final class Ports extends AbstractShape {
    final Inlet<ByteString> fromClient;
    final Outlet<ByteString> toLayer;
    final Inlet<ByteString> fromLayer;
    final Outlet<ByteString> toClient;
    final Inlet<HttpRequest> requestIn;
    final Outlet<HttpRequest> requestOut;
    final Inlet<HttpResponse> responseIn;
    final Outlet<HttpResponse> responseOut;

    Ports(Inlet<ByteString> fromClient, Outlet<ByteString> toLayer, Inlet<ByteString> fromLayer, Outlet<ByteString> toClient,
          Inlet<HttpRequest> requestIn, Outlet<HttpRequest> requestOut, Inlet<HttpResponse> responseIn, Outlet<HttpResponse> responseOut) {
      this.fromClient = fromClient;
      this.toLayer = toLayer;
      this.fromLayer = fromLayer;
      this.toClient = toClient;
      this.requestIn = requestIn;
      this.requestOut = requestOut;
      this.responseIn = responseIn;
      this.responseOut = responseOut;
    }

    static Ports create() {
      return new Ports(Inlet.create("fromClient"), Outlet.create("toLayer"), Inlet.create("fromLayer"), Outlet.create("toClient"),
          Inlet.create("requestIn"), Outlet.create("requestOut"), Inlet.create("responseIn"), Outlet.create("responseOut"));
    }

    @Override
    public List<Inlet<?>> allInlets() {
      return List.of(fromClient, fromLayer, requestIn, responseIn);
    }

    @Override
    public List<Outlet<?>> allOutlets() {
      return List.of(toLayer, toClient, requestOut, responseOut);
    }

    @Override
    public Shape deepCopy() {
      return new Ports(fromClient.carbonCopy(), toLayer.carbonCopy(), fromLayer.carbonCopy(), toClient.carbonCopy(),
          requestIn.carbonCopy(), requestOut.carbonCopy(), responseIn.carbonCopy(), responseOut.carbonCopy());
    }
  }

  /** A live connection as the server sees it: it can be asked to close. */
  interface Handle {
    void close();
  }

  /** The server's live connections: each guard adds itself while it runs. */
  interface Registry {
    void opened(Handle connection);

    void closed(Handle connection);
  }

  private final Ports ports = Ports.create();
  private final Duration timeout;
  private final AtomicLong headTimeouts;
  private final Registry open;

  /** @param headTimeouts counts the connections closed at the deadline */
  ConnectionGuard(Duration timeout, AtomicLong headTimeouts, Registry open) {
    this.timeout = timeout;
    this.headTimeouts = headTimeouts;
    this.open = open;
  }

  /** The answer to a head that did not arrive in time; the connection closes after it. */
  static ByteString timedOut(Duration timeout) {
    return answer("408 Request Timeout", ErrorHandling.errorBody("headers", "the request's headers did not arrive within " + timeout.toMillis() + " ms"));
  }

  /** The answer to a head {@link RequestHead} refuses; the connection closes after it. */
  static ByteString refused(RequestHead.Refusal refusal) {
    String reason = refusal.status() == 431 ? "Request Header Fields Too Large" : "Bad Request";
    return answer(refusal.status() + " " + reason, ErrorHandling.errorBody(refusal.field(), refusal.message()));
  }

  /** An answer of the guard's own, with the headers every answer of the node carries. */
  private static ByteString answer(String status, byte[] body) {
    String head = "HTTP/1.1 " + status + "\r\nConnection: close\r\n"
        + LogContext.HEADER + ": " + LogContext.header(java.util.Optional.empty()).value() + "\r\n"
        + ProfileRoutes.NOSNIFF.name() + ": " + ProfileRoutes.NOSNIFF.value() + "\r\n"
        + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n";
    return ByteString.fromArray(head.getBytes(StandardCharsets.US_ASCII)).concat(ByteString.fromArray(body));
  }

  /** Why the server layer's input ended: the head's deadline passed. */
  static final class TimedOut extends RuntimeException {
    TimedOut(Duration timeout) {
      super("no request head within " + timeout.toMillis() + " ms", null, false, false);
    }
  }

  @Override
  public Ports shape() {
    return ports;
  }

  @Override
  public TimerGraphStageLogic createLogic(Attributes attributes) {
    return new Logic();
  }

  private final class Logic extends TimerGraphStageLogic implements Handle {
    private final Ports p = ports;
    private long requests;
    /** Requests whose response has not started, and streamed responses (SSE, exports) still being sent. */
    private int awaiting;
    private int streaming;
    private AsyncCallback<NotUsed> streamEnded;
    private boolean closing;
    private boolean refused;
    /** Requests parsed when the pending head began; -1 while no head is pending. */
    private long pendingSince = -1;
    private boolean headBytes;
    private AsyncCallback<NotUsed> closeCallback;
    /** The start of a head, held from the layer until it has ended and passed {@link RequestHead}; null while none is. */
    private ByteString heldHead;

    Logic() {
      super(ports);
      relay(p.fromClient, p.toLayer, bytes -> {
        boolean headStart = heldHead == null && (pendingSince >= 0 ? !headBytes && requests == pendingSince : idle());
        noteClientBytes(bytes.nonEmpty());
        return heldHead == null && !headStart ? bytes : headBytes(bytes);
      });
      relay(p.requestIn, p.requestOut, request -> {
        requests++;
        awaiting++;
        return request;
      });
      relay(p.responseIn, p.responseOut, response -> {
        awaiting--;
        HttpResponse sent = response.entity().isStrict() ? response : watched(response);
        return closing ? sent.addHeader(CLOSE) : sent;
      });
      // The layer's bytes to the client: once timed out, an answer of its own (a 408) on its way out ends them.
      setHandler(p.fromLayer, new AbstractInHandler() {
        @Override
        public void onPush() {
          push(p.toClient, grab(p.fromLayer));
        }

        @Override
        public void onUpstreamFinish() {
          if (!refused) complete(p.toClient);
        }

        @Override
        public void onUpstreamFailure(Throwable ex) {
          if (!refused) fail(p.toClient, ex);
        }
      });
      setHandler(p.toClient, new AbstractOutHandler() {
        @Override
        public void onPull() {
          if (!isClosed(p.fromLayer) && !hasBeenPulled(p.fromLayer)) pull(p.fromLayer);
        }

        @Override
        public void onDownstreamFinish(Throwable cause) {
          cancel(p.fromLayer, cause);
        }
      });
    }

    /**
     * The bytes of a head so far: held (null) until the head has ended, then passed on with them
     * unless {@link RequestHead} refuses it.
     */
    private ByteString headBytes(ByteString bytes) {
      ByteString head = heldHead == null ? bytes : heldHead.concat(bytes);
      int end = RequestHead.end(head);
      if (end < 0 && head.size() <= RequestHead.MAX_BYTES) {
        heldHead = head;
        return null;
      }
      heldHead = null;
      RequestHead.Refusal refusal = end < 0 ? RequestHead.tooLarge() : RequestHead.refusal(head.take(end));
      if (refusal == null) return head;
      refuse(refused(refusal), new IllegalArgumentException(refusal.message()));
      return null;
    }

    /**
     * Passes each element from {@code in} to {@code out} through {@code seen} (null: nothing to pass
     * now, or the connection was refused); each end of one ends the other.
     */
    private <T> void relay(Inlet<T> in, Outlet<T> out, java.util.function.UnaryOperator<T> seen) {
      setHandler(in, new AbstractInHandler() {
        @Override
        public void onPush() {
          T passed = seen.apply(grab(in));
          if (passed != null) push(out, passed);
          else if (!refused) pull(in);
        }

        @Override
        public void onUpstreamFinish() {
          // A client that ends in the middle of a head: the parser answers what it has.
          if (in == p.fromClient && heldHead != null) emit(p.toLayer, heldHead, () -> complete(out));
          else complete(out);
        }

        @Override
        public void onUpstreamFailure(Throwable ex) {
          fail(out, ex);
        }
      });
      setHandler(out, new AbstractOutHandler() {
        @Override
        public void onPull() {
          pull(in);
        }

        @Override
        public void onDownstreamFinish(Throwable cause) {
          cancel(in, cause);
        }
      });
    }

    @Override
    public void preStart() {
      // The first request's head counts from the connection's start: a client that connects and
      // sends nothing holds no connection beyond the deadline either.
      startHead(false);
      closeCallback = createAsyncCallback(unused -> {
        closing = true;
        if (idle()) completeStage();
      });
      streamEnded = createAsyncCallback(unused -> {
        streaming--;
        if (closing && idle()) completeStage();
      });
      open.opened(this);
    }

    @Override
    public void postStop() {
      open.closed(this);
    }

    /** Called by the server from any thread. */
    @Override
    public void close() {
      closeCallback.invoke(NotUsed.getInstance());
    }

    /** No request awaits its response and no response is still being sent: client bytes now begin a head. */
    private boolean idle() {
      return awaiting == 0 && streaming == 0;
    }

    /**
     * A streamed response, counted until its last byte: bytes a client sends meanwhile (a
     * pipelined request) start no deadline, which would cut the stream with a 408 in its middle.
     */
    private HttpResponse watched(HttpResponse response) {
      streaming++;
      akka.stream.javadsl.Flow<ByteString, ByteString, NotUsed> watch = akka.stream.javadsl.Flow.<ByteString>create()
          .watchTermination((unused, done) -> {
            done.whenComplete((d, failure) -> streamEnded.invoke(NotUsed.getInstance()));
            return NotUsed.getInstance();
          });
      // A body of known length keeps it (transformDataBytes would make it chunked, and an HTTP/1.0
      // response close-delimited).
      if (response.entity() instanceof akka.http.scaladsl.model.HttpEntity.Default known)
        return response.withEntity(akka.http.javadsl.model.HttpEntities.create(known.getContentType(), known.contentLength(), known.getDataBytes().via(watch)));
      @SuppressWarnings({"unchecked", "rawtypes"}) // Scala's Flow[ByteString, ByteString, Any]
      akka.stream.scaladsl.Flow<ByteString, ByteString, Object> any = (akka.stream.scaladsl.Flow) watch.asScala();
      return response.withEntity(((akka.http.scaladsl.model.ResponseEntity) response.entity()).transformDataBytes(any));
    }

    private void noteClientBytes(boolean some) {
      if (pendingSince >= 0 && requests != pendingSince) cancelHead();
      if (pendingSince >= 0) headBytes |= some;
      else if (idle()) startHead(some);
    }

    private void startHead(boolean withBytes) {
      pendingSince = requests;
      headBytes = withBytes;
      scheduleOnce(TIMER, timeout);
    }

    private void cancelHead() {
      pendingSince = -1;
      cancelTimer(TIMER);
    }

    @Override
    public void onTimer(Object key) {
      if (requests != pendingSince) {
        cancelHead();
        return;
      }
      headTimeouts.incrementAndGet();
      refuse(headBytes ? timedOut(timeout) : null, new TimedOut(timeout));
    }

    /**
     * Ends the connection without the layer: {@code answer} (null: none) is the last the client
     * gets. The layer's input is failed, not completed: a completed input mid-head is the parser's
     * "Illegal HTTP message start", a warning and a 400 for a client that was only slow.
     */
    private void refuse(ByteString answer, RuntimeException why) {
      refused = true;
      cancel(p.fromClient);
      fail(p.toLayer, why);
      cancel(p.fromLayer);
      cancel(p.requestIn);
      complete(p.requestOut);
      cancel(p.responseIn);
      complete(p.responseOut);
      if (answer != null && !isClosed(p.toClient)) emit(p.toClient, answer, () -> complete(p.toClient));
      else complete(p.toClient);
    }
  }
}
