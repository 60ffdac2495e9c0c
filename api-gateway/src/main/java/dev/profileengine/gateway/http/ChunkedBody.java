package dev.profileengine.gateway.http;

import akka.util.ByteString;

/**
 * Where a chunked request body ends (RFC 9112 7.1): its chunks, the last chunk of size 0, the
 * trailer lines and the empty line after them, read as the bytes come, so that the guard knows
 * where the next head starts. Only the framing is read, nothing is kept but the current line's
 * first bytes. A framing it cannot read gives up (the parser refuses such a body itself).
 */
final class ChunkedBody {
  private static final int MAX_LINE = 4096;

  private enum Part { SIZE, DATA, DATA_END, TRAILER, DONE, UNREADABLE }

  private Part part = Part.SIZE;
  private long dataLeft;
  private final StringBuilder line = new StringBuilder();

  /** Whether the body has ended. */
  boolean done() {
    return part == Part.DONE;
  }

  /** How many of {@code bytes} (the next ones after those given before) belong to the body; -1: its framing cannot be read. */
  int consume(ByteString bytes) {
    int i = 0;
    int n = bytes.size();
    while (i < n && part != Part.DONE) {
      switch (part) {
        case DATA -> {
          int take = (int) Math.min(dataLeft, n - i);
          i += take;
          dataLeft -= take;
          if (dataLeft == 0) part = Part.DATA_END;
        }
        case SIZE, DATA_END, TRAILER -> {
          byte b = bytes.apply(i++);
          if (b != '\n') {
            if (b != '\r') line.append((char) (b & 0xff));
            if (line.length() > MAX_LINE) part = Part.UNREADABLE;
            continue;
          }
          String l = line.toString();
          line.setLength(0);
          part = next(l);
        }
        default -> {
          return -1;
        }
      }
      if (part == Part.UNREADABLE) return -1;
    }
    return i;
  }

  /** The part after a whole line {@code l} of the current part. */
  private Part next(String l) {
    switch (part) {
      case SIZE -> {
        int ext = l.indexOf(';');
        String hex = (ext < 0 ? l : l.substring(0, ext)).strip();
        if (hex.isEmpty() || hex.length() > 15) return Part.UNREADABLE;
        try {
          dataLeft = Long.parseLong(hex, 16);
        } catch (NumberFormatException e) {
          return Part.UNREADABLE;
        }
        return dataLeft == 0 ? Part.TRAILER : Part.DATA;
      }
      case DATA_END -> {
        return l.isEmpty() ? Part.SIZE : Part.UNREADABLE;
      }
      case TRAILER -> {
        return l.isEmpty() ? Part.DONE : Part.TRAILER;
      }
      default -> {
        return Part.UNREADABLE;
      }
    }
  }
}
