package dev.profileengine.gateway.http;

import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.headers.Connection;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one HTTP connection's stages share: how many requests have arrived, how many await their
 * response, and whether the server is closing. The byte side ({@link HeadDeadline}) reads it to
 * know whether bytes from the client begin a new request's head; the handler side updates it.
 * Thread-safe: the two sides may run on different threads.
 */
final class HttpConnection {
  private static final Connection CLOSE = Connection.create("close");

  private final AtomicLong requests = new AtomicLong();
  private final AtomicInteger open = new AtomicInteger();
  private volatile boolean closing;
  private volatile Runnable closeIfIdle = () -> {};

  /** A request whose head was parsed: its bytes came in time. */
  HttpRequest arrived(HttpRequest request) {
    open.incrementAndGet();
    requests.incrementAndGet();
    return request;
  }

  /** A response handed to the server layer; while closing it is the connection's last. */
  HttpResponse answered(HttpResponse response) {
    open.decrementAndGet();
    return closing ? response.addHeader(CLOSE) : response;
  }

  /** Requests parsed so far: a head deadline is met when this moves. */
  long requests() {
    return requests.get();
  }

  /** True while no request awaits its response: bytes from the client now begin a new head. */
  boolean idle() {
    return open.get() <= 0;
  }

  boolean closing() {
    return closing;
  }

  /** Set by the byte side once it runs: closes the connection if no request awaits an answer. */
  void onCloseIfIdle(Runnable action) {
    closeIfIdle = action;
  }

  /** The server is terminating: close now if idle, else after the next response (Connection: close). */
  void close() {
    closing = true;
    closeIfIdle.run();
  }
}
