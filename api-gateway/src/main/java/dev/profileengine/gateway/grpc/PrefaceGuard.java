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
 * One gRPC connection's first bytes: the client's HTTP/2 connection preface must arrive within
 * {@code timeout} of the connection's start, else the connection is closed; bytes that cannot begin
 * it (an HTTP/1.1 request) are answered 400 naming the port's protocol. Until the preface has
 * arrived the HTTP/2 layer sees nothing and sends nothing. Without it a client that connects and
 * stays silent holds a connection until the idle timeout (120 s), and enough of them keep the port
 * from every other client.
 *
 * <p>Ports: client -> layer ({@code in1} -> {@code out1}), layer -> client ({@code in2} -> {@code out2}).
 */
final class PrefaceGuard extends GraphStage<BidiShape<ByteString, ByteString, ByteString, ByteString>> {
  /** RFC 9113 3.4: every HTTP/2 client connection starts with these 24 bytes. */
  static final ByteString PREFACE = ByteString.fromString("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", StandardCharsets.US_ASCII);

  private final Inlet<ByteString> fromClient = Inlet.create("fromClient");
  private final Outlet<ByteString> toLayer = Outlet.create("toLayer");
  private final Inlet<ByteString> fromLayer = Inlet.create("fromLayer");
  private final Outlet<ByteString> toClient = Outlet.create("toClient");
  private final BidiShape<ByteString, ByteString, ByteString, ByteString> shape = new BidiShape<>(fromClient, toLayer, fromLayer, toClient);
  private final Duration timeout;
  private final AtomicLong timeouts;

  /** @param timeouts counts the connections closed at the deadline */
  PrefaceGuard(Duration timeout, AtomicLong timeouts) {
    this.timeout = timeout;
    this.timeouts = timeouts;
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

      {
        setHandler(fromClient, new AbstractInHandler() {
          @Override
          public void onPush() {
            ByteString bytes = grab(fromClient);
            if (held == null) {
              push(toLayer, bytes);
              return;
            }
            held = held.concat(bytes);
            if (!mayBeginPreface(held)) {
              held = null;
              cancelTimer("preface");
              cancel(fromClient);
              complete(toLayer);
              cancel(fromLayer);
              emit(toClient, notHttp2(), () -> completeStage());
            } else if (held.size() >= PREFACE.size()) {
              ByteString passed = held;
              held = null;
              cancelTimer("preface");
              push(toLayer, passed);
              if (isAvailable(toClient) && !isClosed(fromLayer) && !hasBeenPulled(fromLayer)) pull(fromLayer);
            } else {
              pull(fromClient);
            }
          }

          @Override
          public void onUpstreamFinish() {
            complete(toLayer);
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

      @Override
      public void preStart() {
        scheduleOnce("preface", timeout);
      }

      @Override
      public void onTimer(Object key) {
        timeouts.incrementAndGet();
        completeStage();
      }
    };
  }
}
