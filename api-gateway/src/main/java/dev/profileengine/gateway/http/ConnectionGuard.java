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
 * <p>Each request head is held from the layer until it has ended, and checked ({@link RequestHead})
 * before the layer sees it; its body, counted by its {@code Content-Length}, passes as it comes, and
 * the next head (pipelined or not) starts after it. A head must end within {@code timeout}: from
 * the connection's start, from its first byte when the connection is idle, and for a head pipelined
 * behind requests from when their answers have gone out; else the connection is closed
 * ({@code 408} naming {@code headers} if part of a head had arrived). Without it a client sending
 * a header byte every few seconds holds a connection for hours (Slowloris; Akka HTTP has no such
 * setting, akka-http#813). A body has its own timeout, and a 408 never lands in the middle of a
 * response. A chunked body's end is found by its framing ({@link ChunkedBody}).
 *
 * <p>The server's termination: an idle connection is closed at once, a busy one after its
 * response, which says {@code Connection: close}.
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
    /** Requests whose response has not started, and streamed responses (SSE, exports) still being sent. */
    private int awaiting;
    private int streaming;
    private AsyncCallback<NotUsed> streamEnded;
    private boolean closing;
    private boolean refused;
    private AsyncCallback<NotUsed> closeCallback;
    /** The start of a head, held from the layer until it has ended and passed {@link RequestHead}; null while none is. */
    private ByteString heldHead;
    /**
     * Bytes of the last head's body still to come: 0 when the next byte starts a head, -1 when its
     * end is not known here (a body the parser refuses): then a head starts with the first byte
     * while idle.
     */
    private long bodyLeft;
    /** The chunked body being read, null while none is. */
    private ChunkedBody chunked;
    /** Heads passed to the layer that it has not yet handed on as requests. */
    private int unparsed;
    /** The refusal of a pipelined head, sent when the layer has answered the requests before it; the client's later bytes are dropped. */
    private ByteString lastAnswer;

    Logic() {
      super(ports);
      relay(p.fromClient, p.toLayer, this::clientBytes);
      relay(p.requestIn, p.requestOut, request -> {
        if (unparsed > 0) unparsed--;
        awaiting++;
        return request;
      });
      relay(p.responseIn, p.responseOut, response -> {
        awaiting--;
        HttpResponse sent = response.entity().isStrict() ? response : watched(response);
        becameIdle();
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
          if (lastAnswer != null && !refused) {
            refused = true;
            cancel(p.fromClient);
            emit(p.toClient, lastAnswer, () -> complete(p.toClient));
          } else if (!refused) complete(p.toClient);
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
     * The client's bytes, as far as the layer may see them now (null: none): each head is held until
     * it has ended and passed {@link RequestHead}; the bytes of its body (counted by its
     * {@code Content-Length}, or its chunks) pass as they come, and the next head starts after them.
     */
    private ByteString clientBytes(ByteString bytes) {
      if (lastAnswer != null) return null;
      ByteString out = ByteString.emptyByteString();
      ByteString rest = bytes;
      while (rest.nonEmpty()) {
        if (heldHead == null && chunked != null) {
          int n = chunked.consume(rest);
          if (n < 0) {
            chunked = null;
            bodyLeft = -1;
            continue;
          }
          out = out.concat(rest.take(n));
          rest = rest.drop(n);
          if (chunked.done()) {
            chunked = null;
            bodyLeft = 0;
          }
          continue;
        }
        if (heldHead == null && bodyLeft > 0) {
          int n = (int) Math.min(bodyLeft, rest.size());
          out = out.concat(rest.take(n));
          rest = rest.drop(n);
          bodyLeft -= n;
          continue;
        }
        if (heldHead == null && bodyLeft < 0 && !idle()) {
          out = out.concat(rest); // a body the parser refuses, and whatever follows it
          break;
        }
        ByteString head = heldHead == null ? rest : heldHead.concat(rest);
        rest = ByteString.emptyByteString();
        int end = RequestHead.end(head);
        if (end < 0 && head.size() <= RequestHead.MAX_BYTES) {
          heldHead = head;
          // A head started while idle has its deadline from its first byte; one pipelined behind a
          // request from when that request's response has gone out.
          if (idle()) startDeadline();
          break;
        }
        heldHead = null;
        cancelTimer(TIMER);
        ByteString whole = end < 0 ? head : head.take(end);
        RequestHead.Checked checked = end < 0 ? new RequestHead.Checked(RequestHead.tooLarge(), -1) : RequestHead.check(whole);
        RequestHead.Refusal refusal = checked.refusal();
        if (refusal != null && idle()) {
          refuse(refused(refusal), new IllegalArgumentException(refusal.message()));
          return null;
        }
        if (refusal != null) {
          // Pipelined behind requests still being answered: the layer gets no more input, answers
          // them and ends its output; the refusal goes out after their answers.
          lastAnswer = refused(refusal);
          if (out.isEmpty()) complete(p.toLayer);
          else emit(p.toLayer, out, () -> complete(p.toLayer));
          return null;
        }
        out = out.concat(whole);
        unparsed++;
        bodyLeft = checked.bodyLength();
        if (bodyLeft == RequestHead.CHUNKED) chunked = new ChunkedBody();
        rest = head.drop(end);
      }
      return out.isEmpty() ? null : out;
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
      startDeadline();
      closeCallback = createAsyncCallback(unused -> {
        closing = true;
        if (idle()) completeStage();
      });
      streamEnded = createAsyncCallback(unused -> {
        streaming--;
        becameIdle();
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
      return awaiting == 0 && streaming == 0 && unparsed == 0;
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

    /** A head held when the last response has gone out now has its deadline. */
    private void becameIdle() {
      if (idle() && heldHead != null) startDeadline();
    }

    private void startDeadline() {
      if (!isTimerActive(TIMER)) scheduleOnce(TIMER, timeout);
    }

    @Override
    public void onTimer(Object key) {
      headTimeouts.incrementAndGet();
      refuse(heldHead != null ? timedOut(timeout) : null, new TimedOut(timeout));
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
