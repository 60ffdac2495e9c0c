package dev.profileengine.cluster;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A subscriber of a node's change stream (SSE or gRPC), reading on its own thread into a list:
 * what it received, in order, and whether its stream has ended (closed by the node, or cut by the
 * node's death).
 */
abstract sealed class ChangeSubscriber implements AutoCloseable permits SseSubscriber, GrpcSubscriber {
  /** One change as the subscriber received it. */
  record Received(long offset, String userId, String cause, List<String> eventIds) {}

  private final String name;
  private final long from;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private volatile boolean ended;

  ChangeSubscriber(String name, long from) {
    this.name = name;
    this.from = from;
  }

  /** The reading thread got a change. */
  final void add(Received change) {
    received.add(change);
  }

  /** The reading thread's stream is over. */
  final void end() {
    ended = true;
  }

  /** What arrived so far, in arrival order (a snapshot). */
  final List<Received> received() {
    return List.copyOf(received);
  }

  /** The offset of the last change received, or the offset it subscribed from if none. */
  final long lastOffset() {
    List<Received> r = received;
    return r.isEmpty() ? from : r.get(r.size() - 1).offset();
  }

  /** The stream is over: completed, failed, or its connection lost. */
  final boolean ended() {
    return ended;
  }

  /** A name for messages: protocol, node, start offset. */
  final String name() {
    return name;
  }

  @Override
  public final String toString() {
    return name;
  }

  @Override
  public abstract void close();
}
