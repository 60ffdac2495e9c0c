package dev.profileengine.cluster;

import java.util.List;

/**
 * A subscriber of a node's change stream (SSE or gRPC), reading on its own thread into a list:
 * what it received, in order, and whether its stream has ended (closed by the node, or cut by the
 * node's death).
 */
sealed interface ChangeSubscriber extends AutoCloseable permits SseSubscriber, GrpcSubscriber {
  /** One change as the subscriber received it. */
  record Received(long offset, String userId, String cause, List<String> eventIds) {}

  /** What arrived so far, in arrival order (a snapshot). */
  List<Received> received();

  /** The offset of the last change received, or the offset it subscribed from if none. */
  long lastOffset();

  /** The stream is over: completed, failed, or its connection lost. */
  boolean ended();

  /** A name for messages: protocol, node, start offset. */
  String name();

  @Override
  void close();
}
