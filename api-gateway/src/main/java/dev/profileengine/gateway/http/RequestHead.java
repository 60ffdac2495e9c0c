package dev.profileengine.gateway.http;

import akka.util.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The checks a request's head gets before Akka's parser sees it, for what that parser would take
 * leniently or fail on: a {@code Content-Length} that is not a plain number ({@code 1 0} is read as
 * 1, and the rest of the body as a second request: the client and the node no longer agree where a
 * request ends), a header folded onto a second line (the same, split), and an HTTP/1.0 request
 * with a {@code Transfer-Encoding} (the parser's 500).
 * Pure functions of the head's bytes.
 */
public final class RequestHead {
  /** Heads are held up to this size; a longer one is refused (the API's heads are a few hundred bytes). */
  public static final int MAX_BYTES = 64 * 1024;

  /** The body length of a chunked body: its end is found by {@link ChunkedBody}. */
  static final long CHUNKED = -2;

  /** Why a head is refused: the header at fault, named in the answer, and the answer's status. */
  record Refusal(int status, String field, String message) {}

  private RequestHead() {}

  /** The length of the head at the start of {@code bytes}, up to and with its empty line; -1 while it has not ended. */
  static int end(ByteString bytes) {
    int n = bytes.size();
    for (int i = bytes.indexOf((byte) '\n'); i >= 0 && i < n; i = bytes.indexOf((byte) '\n', i + 1)) {
      if (i + 1 < n && bytes.apply(i + 1) == '\n') return i + 2;
      if (i + 2 < n && bytes.apply(i + 1) == '\r' && bytes.apply(i + 2) == '\n') return i + 3;
    }
    return -1;
  }

  /** A head that has not ended within {@link #MAX_BYTES}. */
  static Refusal tooLarge() {
    return new Refusal(431, "headers", "the request's head is over " + MAX_BYTES / 1024 + " KiB");
  }

  /**
   * What a whole head says: its refusal (null: pass it to the parser), and the length of the body
   * after it: its {@code Content-Length}, 0 without one (a request without either header has no
   * body), {@link #CHUNKED} for {@code Transfer-Encoding: chunked}, -1 for another coding or a
   * length past a long (the parser refuses those).
   */
  record Checked(Refusal refusal, long bodyLength) {}

  /** A whole head read once ({@code head}: its bytes up to {@link #end}): its refusal, else its body's length. */
  static Checked check(ByteString head) {
    int n = head.size();
    int firstEnd = head.indexOf((byte) '\n');
    if (firstEnd < 0) return new Checked(null, 0);
    boolean http10 = lineOf(head, 0, firstEnd).endsWith(" HTTP/1.0");
    long length = 0;
    boolean coded = false; // a Transfer-Encoding decides the body's end, whatever the Content-Length says
    // Every read passes here: only the lines that can matter are decoded.
    for (int start = firstEnd + 1, end; start < n; start = end + 1) {
      end = head.indexOf((byte) '\n', start);
      if (end < 0) end = n;
      if (end == start || (end == start + 1 && head.apply(start) == '\r')) break; // the empty line
      byte first = head.apply(start);
      // A folded line would be joined to the one before it: "Content-Length: 1" and " 0" read as "1 0".
      if (first == ' ' || first == '\t')
        return refused(new Refusal(400, "headers", "a header line cannot be continued on the next line (obsolete line folding)"));
      if (first != 'c' && first != 'C' && first != 't' && first != 'T') continue;
      String line = lineOf(head, start, end);
      int colon = line.indexOf(':');
      if (colon <= 0) continue; // the parser names a malformed line itself
      String name = line.substring(0, colon).toLowerCase(Locale.ROOT);
      String value = line.substring(colon + 1).strip();
      if (name.equals("content-length")) {
        if (!digits(value)) return refused(new Refusal(400, "Content-Length", "Content-Length must be a number of bytes, digits only"));
        if (!coded) {
          try {
            length = Long.parseLong(value);
          } catch (NumberFormatException tooLong) {
            length = -1; // the parser refuses it
          }
        }
      }
      if (name.equals("transfer-encoding")) {
        if (http10)
          return refused(new Refusal(400, "Transfer-Encoding", "an HTTP/1.0 request cannot have a Transfer-Encoding: send Content-Length, or use HTTP/1.1"));
        coded = true;
        length = value.equalsIgnoreCase("chunked") ? CHUNKED : -1;
      }
    }
    return new Checked(null, length);
  }

  private static Checked refused(Refusal refusal) {
    return new Checked(refusal, -1);
  }

  /** The line from {@code start} to {@code end} (its line feed), without a carriage return. */
  private static String lineOf(ByteString head, int start, int end) {
    int stop = end > start && head.apply(end - 1) == '\r' ? end - 1 : end;
    return head.slice(start, stop).decodeString(StandardCharsets.ISO_8859_1);
  }

  private static boolean digits(String value) {
    if (value.isEmpty()) return false;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') return false;
    }
    return true;
  }
}
