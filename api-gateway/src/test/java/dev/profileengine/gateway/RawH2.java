package dev.profileengine.gateway;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * HTTP/2 by hand on a plain socket, for what a well-behaved client cannot do: end the connection
 * mid-frame, reset it (RST) mid-call, send headers past the server's limits. Headers are HPACK
 * literals without indexing, so no table is needed.
 */
final class RawH2 implements AutoCloseable {
  static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  static final int DATA = 0, HEADERS = 1, RST_STREAM = 3, SETTINGS = 4, PING = 6, GOAWAY = 7, CONTINUATION = 9;
  static final int END_STREAM = 1, END_HEADERS = 4;

  final Socket socket;
  private final DataInputStream in;

  /** A connection that has sent the preface and, if {@code settings}, an empty SETTINGS frame. */
  RawH2(int port, boolean settings) throws IOException {
    socket = new Socket("127.0.0.1", port);
    in = new DataInputStream(socket.getInputStream());
    send(PREFACE);
    if (settings) send(frame(SETTINGS, 0, 0, new byte[0]));
  }

  void send(byte[] bytes) throws IOException {
    socket.getOutputStream().write(bytes);
    socket.getOutputStream().flush();
  }

  static byte[] frame(int type, int flags, int stream, byte[] payload) {
    byte[] f = new byte[9 + payload.length];
    f[0] = (byte) (payload.length >>> 16);
    f[1] = (byte) (payload.length >>> 8);
    f[2] = (byte) payload.length;
    f[3] = (byte) type;
    f[4] = (byte) flags;
    f[5] = (byte) (stream >>> 24);
    f[6] = (byte) (stream >>> 16);
    f[7] = (byte) (stream >>> 8);
    f[8] = (byte) stream;
    System.arraycopy(payload, 0, f, 9, payload.length);
    return f;
  }

  /** A gRPC POST's header block for {@code rpc}, then {@code extra} headers. */
  static byte[] grpcHeaders(String rpc, String key, Map<String, String> extra) {
    return grpcHeadersAt("/profileengine.v1.ProfileService/" + rpc, key, extra);
  }

  /** A gRPC POST's header block for the method at {@code path}, then {@code extra} headers. */
  static byte[] grpcHeadersAt(String path, String key, Map<String, String> extra) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    literal(b, ":method", "POST");
    literal(b, ":scheme", "http");
    literal(b, ":path", path);
    literal(b, ":authority", "localhost");
    literal(b, "content-type", "application/grpc");
    literal(b, "te", "trailers");
    if (key != null) literal(b, "authorization", "Bearer " + key);
    extra.forEach((name, value) -> literal(b, name, value));
    return b.toByteArray();
  }

  /** A gRPC message frame: flag 0, big-endian length, the message. */
  static byte[] grpcFrame(byte[] message) {
    byte[] f = new byte[5 + message.length];
    f[1] = (byte) (message.length >>> 24);
    f[2] = (byte) (message.length >>> 16);
    f[3] = (byte) (message.length >>> 8);
    f[4] = (byte) message.length;
    System.arraycopy(message, 0, f, 5, message.length);
    return f;
  }

  private static void literal(ByteArrayOutputStream b, String name, String value) {
    b.write(0); // literal header field without indexing, new name
    string(b, name.getBytes(StandardCharsets.UTF_8));
    string(b, value.getBytes(StandardCharsets.UTF_8));
  }

  /** An HPACK string, not Huffman-coded: its length as a 7-bit-prefix integer, then the bytes. */
  private static void string(ByteArrayOutputStream b, byte[] s) {
    int n = s.length;
    if (n < 127) {
      b.write(n);
    } else {
      b.write(127);
      n -= 127;
      while (n >= 128) {
        b.write((n & 0x7f) | 0x80);
        n >>>= 7;
      }
      b.write(n);
    }
    b.write(s, 0, s.length);
  }

  /** Reads frames until a DATA frame on {@code stream} (true) or the connection's end or {@code timeout} (false), acknowledging SETTINGS. */
  boolean awaitData(int stream, Duration timeout) throws IOException {
    return awaitFrame(DATA, stream, timeout);
  }

  /** Sends a PING and waits for its acknowledgement: the server has read every frame sent before it. */
  boolean ping(Duration timeout) throws IOException {
    send(frame(PING, 0, 0, new byte[8]));
    return awaitFrame(PING, 0, timeout);
  }

  /** Reads frames until one of {@code type} on {@code stream} (true) or the connection's end or {@code timeout} (false). */
  boolean awaitFrame(int wanted, int stream, Duration timeout) throws IOException {
    return awaitPayload(wanted, stream, timeout) != null;
  }

  /** Reads frames until one of {@code type} on {@code stream}: its payload, null at the connection's end or {@code timeout}. */
  byte[] awaitPayload(int wanted, int stream, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    socket.setSoTimeout(200);
    while (System.nanoTime() < deadline) {
      byte[] header = new byte[9];
      try {
        in.readFully(header);
      } catch (SocketTimeoutException e) {
        continue; // polled until the deadline
      } catch (java.io.EOFException | java.net.SocketException e) {
        return null;
      }
      int length = (header[0] & 0xff) << 16 | (header[1] & 0xff) << 8 | header[2] & 0xff;
      int type = header[3];
      int id = (header[5] & 0x7f) << 24 | (header[6] & 0xff) << 16 | (header[7] & 0xff) << 8 | header[8] & 0xff;
      socket.setSoTimeout(10_000); // the payload follows its header
      byte[] payload = new byte[length];
      in.readFully(payload);
      socket.setSoTimeout(200);
      if (type == SETTINGS && (header[4] & 1) == 0) acknowledgeSettings();
      if (type == wanted && id == stream) return payload;
    }
    return null;
  }

  /** Acknowledges the server's SETTINGS, unless the server has closed the connection already (its last frames are still read). */
  private void acknowledgeSettings() {
    try {
      send(frame(SETTINGS, 1, 0, new byte[0]));
    } catch (IOException e) {
      // closed by the server: what it sent before is still to be read
    }
  }

  /** Reads until the server closes the connection or {@code timeout} passes: whether it closed. */
  boolean awaitClosed(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    socket.setSoTimeout(200);
    byte[] buffer = new byte[8192];
    while (System.nanoTime() < deadline) {
      try {
        if (in.read(buffer) < 0) return true;
      } catch (SocketTimeoutException e) {
        // polled until the deadline
      } catch (java.net.SocketException e) {
        return true; // reset by the server
      }
    }
    return false;
  }

  /** Closes with a TCP RST instead of a FIN (linger 0), as a crashed client or a middlebox does. */
  void reset() throws IOException {
    socket.setSoLinger(true, 0);
    socket.close();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
