package dev.profileengine.gateway.grpc;

import akka.stream.Attributes;
import akka.stream.BidiShape;
import akka.stream.Inlet;
import akka.stream.Outlet;
import akka.stream.stage.AbstractInHandler;
import akka.stream.stage.AbstractOutHandler;
import akka.stream.stage.GraphStage;
import akka.stream.stage.TimerGraphStageLogic;
import akka.util.ByteString;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a gRPC connection's client sends before Akka's HTTP/2 layer reads it. Its first bytes: the
 * HTTP/2 connection preface must arrive within {@code timeout} of the connection's start, else the
 * connection is closed; bytes that cannot begin it (an HTTP/1.1 request) are answered 400 naming
 * the port's protocol. Until the preface has arrived the HTTP/2 layer sees nothing and sends
 * nothing. Without it a client that connects and stays silent holds a connection until the idle
 * timeout (120 s), and enough of them keep the port from every other client. Its frames after
 * that: header blocks within {@link ClientFrames}' limits and ended within {@code timeout} of their
 * first frame, else a GOAWAY and the connection closed.
 *
 * <p>Ports: client -> layer ({@code in1} -> {@code out1}), layer -> client ({@code in2} -> {@code out2}).
 */
final class Http2Guard extends GraphStage<BidiShape<ByteString, ByteString, ByteString, ByteString>> {
  /** RFC 9113 3.4: every HTTP/2 client connection starts with these 24 bytes. */
  static final ByteString PREFACE = ByteString.fromString("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", StandardCharsets.US_ASCII);

  private static final String BLOCK = "header block";

  private final Inlet<ByteString> fromClient = Inlet.create("fromClient");
  private final Outlet<ByteString> toLayer = Outlet.create("toLayer");
  private final Inlet<ByteString> fromLayer = Inlet.create("fromLayer");
  private final Outlet<ByteString> toClient = Outlet.create("toClient");
  private final BidiShape<ByteString, ByteString, ByteString, ByteString> shape = new BidiShape<>(fromClient, toLayer, fromLayer, toClient);
  private final Duration timeout;
  private final int maxBlockBytes;
  private final int maxFields;
  private final AtomicLong timeouts;
  private final AtomicLong refusals;

  /**
   * @param maxBlockBytes, maxFields a header block's limits (see {@link ClientFrames})
   * @param timeouts counts the connections closed at the deadline
   * @param refusals counts the connections refused for a header block past the limits or not ended within {@code timeout}
   */
  Http2Guard(Duration timeout, int maxBlockBytes, int maxFields, AtomicLong timeouts, AtomicLong refusals) {
    this.timeout = timeout;
    this.maxBlockBytes = maxBlockBytes;
    this.maxFields = maxFields;
    this.timeouts = timeouts;
    this.refusals = refusals;
  }

  /** Whether {@code bytes}, the connection's first, are the preface or its beginning. */
  static boolean mayBeginPreface(ByteString bytes) {
    int n = Math.min(bytes.size(), PREFACE.size());
    return bytes.take(n).equals(PREFACE.take(n));
  }

  /** The answer to a client speaking HTTP/1 to this port; the connection closes after it. */
  static ByteString notHttp2() {
    String body = "{\"error\":\"this port speaks gRPC (HTTP/2 with prior knowledge); the HTTP API has its own port\",\"field\":\"protocol\"}";
    return ByteString.fromString("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: "
        + body.length() + "\r\n\r\n" + body, StandardCharsets.US_ASCII);
  }

  @Override
  public BidiShape<ByteString, ByteString, ByteString, ByteString> shape() {
    return shape;
  }

  @Override
  public TimerGraphStageLogic createLogic(Attributes attributes) {
    return new TimerGraphStageLogic(shape) {
      /** The preface's bytes so far; null once it has passed. */
      private ByteString held = ByteString.emptyByteString();
      private final ClientFrames frames = new ClientFrames(maxBlockBytes, maxFields);

      {
        setHandler(fromClient, new AbstractInHandler() {
          @Override
          public void onPush() {
            ByteString bytes = grab(fromClient);
            ByteString passed = ByteString.emptyByteString();
            if (held != null) {
              held = held.concat(bytes);
              if (!mayBeginPreface(held)) {
                held = null;
                cancelTimer("preface");
                answerAndClose(notHttp2());
                return;
              }
              if (held.size() < PREFACE.size()) {
                pull(fromClient);
                return;
              }
              passed = PREFACE;
              bytes = held.drop(PREFACE.size());
              held = null;
              cancelTimer("preface");
              if (isAvailable(toClient) && !isClosed(fromLayer) && !hasBeenPulled(fromLayer)) pull(fromLayer);
            }
            ClientFrames.Read read = frames.read(bytes);
            if (read.refusal() != null) {
              refuse(read.refusal().goAway());
              return;
            }
            // A header block must end within the timeout of its first frame, as an HTTP/1 head must:
            // else CONTINUATION frames dripped in hold the connection for as long as they come.
            if (!frames.blockOpen()) cancelTimer(BLOCK);
            else if (!isTimerActive(BLOCK)) scheduleOnce(BLOCK, timeout);
            passed = passed.concat(read.forward());
            if (passed.isEmpty()) pull(fromClient); // a header block still arriving
            else push(toLayer, passed);
          }

          @Override
          public void onUpstreamFinish() {
            // A frame cut short goes on as it came: Akka's framing reports it (and logs it at debug).
            cancelTimer(BLOCK);
            ByteString unfinished = held == null ? frames.unfinished() : ByteString.emptyByteString();
            if (unfinished.isEmpty()) complete(toLayer);
            else emit(toLayer, unfinished, () -> complete(toLayer));
          }
        });
        setHandler(toLayer, new AbstractOutHandler() {
          @Override
          public void onPull() {
            if (!hasBeenPulled(fromClient)) pull(fromClient);
          }
        });
        setHandler(fromLayer, new AbstractInHandler() {
          @Override
          public void onPush() {
            push(toClient, grab(fromLayer));
          }
        });
        setHandler(toClient, new AbstractOutHandler() {
          @Override
          public void onPull() {
            // The layer's own first bytes (its SETTINGS) wait for the client's preface.
            if (held == null && !isClosed(fromLayer) && !hasBeenPulled(fromLayer)) pull(fromLayer);
          }
        });
      }

      /** A header block refused: counted, and its GOAWAY sent before the connection closes. */
      private void refuse(ByteString goAway) {
        refusals.incrementAndGet();
        answerAndClose(goAway);
      }

      /** Sends {@code answer} in place of anything more from the layer, then closes the connection. */
      private void answerAndClose(ByteString answer) {
        cancel(fromClient);
        complete(toLayer);
        cancel(fromLayer);
        emit(toClient, answer, () -> completeStage());
      }

      @Override
      public void preStart() {
        scheduleOnce("preface", timeout);
      }

      @Override
      public void onTimer(Object key) {
        if (BLOCK.equals(key)) {
          refuse(frames.refuse("header block not complete within " + timeout.toMillis() + " ms"));
          return;
        }
        timeouts.incrementAndGet();
        completeStage();
      }
    };
  }
}
