package dev.profileengine.gateway.http;

import akka.NotUsed;
import akka.stream.Attributes;
import akka.stream.BidiShape;
import akka.stream.Inlet;
import akka.stream.Outlet;
import akka.stream.javadsl.BidiFlow;
import akka.stream.stage.AbstractInHandler;
import akka.stream.stage.AbstractOutHandler;
import akka.stream.stage.GraphStage;
import akka.stream.stage.TimerGraphStageLogic;
import akka.util.ByteString;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A deadline on each request's head, between the TCP connection and Akka's HTTP server layer: from
 * the connection's start, and from the first byte after the last response went out, the layer must
 * have parsed a whole request head within {@code timeout}, else the connection is closed (answered
 * {@code 408} naming {@code headers} if part of a head had arrived). Without it a client sending a
 * header byte every few seconds holds a connection for hours (Slowloris; Akka HTTP has no such
 * setting, akka-http#813). Bytes arriving while a request awaits its response (its body, a
 * pipelined request) start no deadline: the body has its own timeout, and a waiting connection is
 * the idle timeout's.
 *
 * <p>Shape: top row from the server layer to TCP (responses' bytes), bottom row from TCP to the
 * layer (the client's bytes).
 */
final class HeadDeadline extends GraphStage<BidiShape<ByteString, ByteString, ByteString, ByteString>> {
  private static final String TIMER = "head";

  private final Inlet<ByteString> fromLayer = Inlet.create("HeadDeadline.fromLayer");
  private final Outlet<ByteString> toClient = Outlet.create("HeadDeadline.toClient");
  private final Inlet<ByteString> fromClient = Inlet.create("HeadDeadline.fromClient");
  private final Outlet<ByteString> toLayer = Outlet.create("HeadDeadline.toLayer");
  private final BidiShape<ByteString, ByteString, ByteString, ByteString> shape = BidiShape.of(fromLayer, toClient, fromClient, toLayer);

  private final HttpConnection connection;
  private final Duration timeout;
  private final Runnable onTimeout;

  private HeadDeadline(HttpConnection connection, Duration timeout, Runnable onTimeout) {
    this.connection = connection;
    this.timeout = timeout;
    this.onTimeout = onTimeout;
  }

  /** The stage as a BidiFlow to compose between the server layer (above) and TCP (below). */
  static BidiFlow<ByteString, ByteString, ByteString, ByteString, NotUsed> of(HttpConnection connection, Duration timeout, Runnable onTimeout) {
    return BidiFlow.fromGraph(new HeadDeadline(connection, timeout, onTimeout));
  }

  /** The answer to a head that did not arrive in time; the connection closes after it. */
  static ByteString timedOut(Duration timeout) {
    byte[] body = ErrorHandling.errorBody("headers", "the request's headers did not arrive within " + timeout.toMillis() + " ms");
    String head = "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: "
        + body.length + "\r\n\r\n";
    return ByteString.fromArray(head.getBytes(StandardCharsets.US_ASCII)).concat(ByteString.fromArray(body));
  }

  /** Why the server layer's input ended: the head's deadline passed. */
  static final class TimedOut extends RuntimeException {
    TimedOut(Duration timeout) {
      super("no request head within " + timeout.toMillis() + " ms", null, false, false);
    }
  }

  @Override
  public BidiShape<ByteString, ByteString, ByteString, ByteString> shape() {
    return shape;
  }

  @Override
  public TimerGraphStageLogic createLogic(Attributes attributes) {
    return new TimerGraphStageLogic(shape) {
      /** Requests parsed when the pending head began; -1 while no head is pending. */
      private long pendingSince = -1;
      private boolean headBytes;

      {
        setHandler(fromClient, new AbstractInHandler() {
          @Override
          public void onPush() {
            ByteString bytes = grab(fromClient);
            noteClientBytes(bytes.nonEmpty());
            push(toLayer, bytes);
          }

          @Override
          public void onUpstreamFinish() {
            complete(toLayer);
          }
        });
        setHandler(toLayer, new AbstractOutHandler() {
          @Override
          public void onPull() {
            pull(fromClient);
          }

          @Override
          public void onDownstreamFinish(Throwable cause) {
            cancel(fromClient, cause);
          }
        });
        setHandler(fromLayer, new AbstractInHandler() {
          @Override
          public void onPush() {
            push(toClient, grab(fromLayer));
          }

          @Override
          public void onUpstreamFinish() {
            complete(toClient);
          }
        });
        setHandler(toClient, new AbstractOutHandler() {
          @Override
          public void onPull() {
            if (!hasBeenPulled(fromLayer) && !isClosed(fromLayer)) pull(fromLayer);
          }

          @Override
          public void onDownstreamFinish(Throwable cause) {
            cancel(fromLayer, cause);
          }
        });
      }

      @Override
      public void preStart() {
        // The first request's head counts from the connection's start: a client that connects and
        // sends nothing holds no connection beyond the deadline either.
        startHead(false);
        var closeIfIdle = createAsyncCallback((NotUsed unused) -> {
          if (connection.idle()) completeStage();
        });
        connection.onCloseIfIdle(() -> closeIfIdle.invoke(NotUsed.getInstance()));
        if (connection.closing() && connection.idle()) completeStage();
      }

      private void noteClientBytes(boolean some) {
        if (pendingSince >= 0 && connection.requests() != pendingSince) cancelHead();
        if (pendingSince >= 0) {
          headBytes |= some;
        } else if (connection.idle()) {
          startHead(some);
        }
      }

      private void startHead(boolean withBytes) {
        pendingSince = connection.requests();
        headBytes = withBytes;
        scheduleOnce(TIMER, timeout);
      }

      private void cancelHead() {
        pendingSince = -1;
        cancelTimer(TIMER);
      }

      @Override
      public void onTimer(Object key) {
        if (connection.requests() != pendingSince) {
          cancelHead();
          return;
        }
        onTimeout.run();
        cancel(fromClient);
        // Failed, not completed: a completed input mid-head is the parser's "Illegal HTTP message
        // start", a warning and a 400 for a client that was only slow.
        fail(toLayer, new TimedOut(timeout));
        cancel(fromLayer);
        if (headBytes && !isClosed(toClient)) {
          emit(toClient, timedOut(timeout), () -> complete(toClient));
        } else {
          complete(toClient);
        }
      }
    };
  }
}
