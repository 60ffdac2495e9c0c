package dev.profileengine.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Slowloris beside a legitimate client: {@code attackers} connections each send half a request head
 * and then one header line every {@code dripMs}, reconnecting whenever the node closes one, as
 * slowhttptest does; meanwhile a client opens a new connection every 100 ms and asks
 * {@code GET /health} (5 s to answer). Prints how many of the client's requests were answered,
 * their latency, and how often the node closed an attacker.
 *
 * <pre>java -cp load-tests/target/benchmarks.jar dev.profileengine.bench.SlowHeadersProbe baseUrl seconds attackers [dripMs]</pre>
 */
public final class SlowHeadersProbe {
  private static final byte[] HEAD = "GET /health HTTP/1.1\r\nHost: localhost\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] LINE = "X-Slow: 1\r\n".getBytes(StandardCharsets.US_ASCII);

  private SlowHeadersProbe() {}

  public static void main(String[] args) throws Exception {
    URI base = URI.create(args[0]);
    InetSocketAddress node = new InetSocketAddress(base.getHost(), base.getPort());
    long seconds = Long.parseLong(args[1]);
    int attackers = Integer.parseInt(args[2]);
    long dripNanos = TimeUnit.MILLISECONDS.toNanos(args.length > 3 ? Long.parseLong(args[3]) : 5_000);
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong closedByNode = new AtomicLong();
    Thread attack = new Thread(() -> attack(node, attackers, dripNanos, running, closedByNode), "slowloris");
    attack.setDaemon(true);
    attack.start();
    TimeUnit.SECONDS.sleep(5); // the attack's connections opened before the client starts: the probe's design
    List<Double> millis = new ArrayList<>();
    int unanswered = 0;
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    long next = System.nanoTime();
    while (System.nanoTime() < end) {
      long sent = System.nanoTime();
      if (answered(node)) millis.add((System.nanoTime() - sent) / 1e6);
      else unanswered++;
      next += TimeUnit.MILLISECONDS.toNanos(100);
      long wait = next - System.nanoTime();
      if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait); // the client's pace
      else next = System.nanoTime();
    }
    running.set(false);
    millis.sort(null);
    System.out.printf("client beside %d slow connections: %d of %d answered within 5 s; latency p50 %.1f ms  p90 %.1f ms  p99 %.1f ms;"
            + " slow connections closed by the node: %d%n",
        attackers, millis.size(), millis.size() + unanswered, at(millis, 0.5), at(millis, 0.9), at(millis, 0.99), closedByNode.get());
  }

  /** One request on a new connection: true if its status line came within 5 s. */
  private static boolean answered(InetSocketAddress node) {
    try (Socket socket = new Socket()) {
      socket.connect(node, 5_000);
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      byte[] status = in.readNBytes(12);
      return new String(status, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200");
    } catch (IOException e) {
      return false;
    }
  }

  private static void attack(InetSocketAddress node, int count, long dripNanos, AtomicBoolean running, AtomicLong closedByNode) {
    try (Selector selector = Selector.open()) {
      Map<SocketChannel, Long> nextDrip = new HashMap<>();
      for (int i = 0; i < count; i++) open(node, selector, nextDrip);
      ByteBuffer sink = ByteBuffer.allocate(4096);
      while (running.get()) {
        selector.select(100);
        for (SelectionKey key : selector.selectedKeys()) {
          SocketChannel ch = (SocketChannel) key.channel();
          try {
            if (key.isConnectable() && ch.finishConnect()) {
              ch.write(ByteBuffer.wrap(HEAD));
              key.interestOps(SelectionKey.OP_READ);
            } else if (key.isReadable()) {
              sink.clear();
              if (ch.read(sink) < 0) throw new IOException("closed by the node");
            }
          } catch (IOException e) {
            closedByNode.incrementAndGet();
            reopen(node, selector, nextDrip, ch, key);
          }
        }
        selector.selectedKeys().clear();
        long now = System.nanoTime();
        for (SelectionKey key : new ArrayList<>(selector.keys())) {
          SocketChannel ch = (SocketChannel) key.channel();
          Long due = nextDrip.get(ch);
          if (due == null || due > now || !ch.isConnected()) continue;
          try {
            ch.write(ByteBuffer.wrap(LINE));
            nextDrip.put(ch, now + dripNanos);
          } catch (IOException e) {
            closedByNode.incrementAndGet();
            reopen(node, selector, nextDrip, ch, key);
          }
        }
      }
      for (SocketChannel ch : nextDrip.keySet()) ch.close();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void reopen(InetSocketAddress node, Selector selector, Map<SocketChannel, Long> nextDrip, SocketChannel ch, SelectionKey key)
      throws IOException {
    key.cancel();
    nextDrip.remove(ch);
    ch.close();
    open(node, selector, nextDrip);
  }

  private static void open(InetSocketAddress node, Selector selector, Map<SocketChannel, Long> nextDrip) throws IOException {
    SocketChannel ch = SocketChannel.open();
    ch.configureBlocking(false);
    ch.connect(node);
    ch.register(selector, SelectionKey.OP_CONNECT);
    nextDrip.put(ch, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500));
  }

  private static double at(List<Double> sorted, double p) {
    return sorted.isEmpty() ? Double.NaN : sorted.get(Math.min(sorted.size() - 1, (int) (p * sorted.size())));
  }
}
