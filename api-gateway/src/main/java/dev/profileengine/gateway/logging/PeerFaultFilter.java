package dev.profileengine.gateway.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.List;
import org.slf4j.Marker;

/**
 * Keeps a peer's malformed HTTP/2 out of the ERROR log: Akka HTTP's HTTP/2 stages log a truncated
 * frame (the client closed mid-frame) or an over-long header name or value at ERROR with a stack
 * trace, and any client can send those. Such lines, matched narrowly by Akka logger, HTTP/2 stage or
 * connection message and the peer's fault, are logged once at DEBUG under this class instead; every
 * other error still logs at ERROR.
 */
public final class PeerFaultFilter extends TurboFilter {
  private static final org.slf4j.Logger quiet = org.slf4j.LoggerFactory.getLogger(PeerFaultFilter.class);

  /** How Akka HTTP's HTTP/2 stages start the error lines they log for a connection. */
  private static final List<String> HTTP2_LINES = List.of(
      "Error in stage [akka.http.impl.engine.http2.",
      "HTTP2 connection failed with error [");

  /** The causes that are the peer's doing: its bytes ended inside a frame, or a header broke the parsing limits. */
  static final List<String> PEER_FAULTS = List.of(
      "truncated data in ByteStringParser",
      "HTTP header name exceeds the configured limit",
      "HTTP header value exceeds the configured limit");

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (level != Level.ERROR || format == null || !logger.getName().startsWith("akka.")) return FilterReply.NEUTRAL;
    if (!peerFault(format)) return FilterReply.NEUTRAL;
    quiet.debug("HTTP/2 connection ended by the peer's malformed input: {}", format);
    return FilterReply.DENY;
  }

  static boolean peerFault(String line) {
    return HTTP2_LINES.stream().anyMatch(line::startsWith) && PEER_FAULTS.stream().anyMatch(line::contains);
  }
}
