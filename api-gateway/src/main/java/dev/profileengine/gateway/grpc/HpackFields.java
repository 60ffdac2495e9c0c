package dev.profileengine.gateway.grpc;

import akka.util.ByteString;

/**
 * Counts the header fields of an HPACK header block (RFC 7541 6) without decoding it: each field
 * is one representation, whose integers and string lengths say where the next begins. Enough to
 * bound a request's header list before Akka's decoder turns it into strings: one byte that
 * refers to a 4 KiB entry of the dynamic table decodes to 4 KiB, so a block's size alone does not
 * bound what it decodes to; its number of fields times the table's size does.
 */
final class HpackFields {
  /** The block could not be read (truncated or an integer too large): Akka's decoder refuses it. */
  static final int MALFORMED = -1;

  private HpackFields() {}

  /** The number of header fields in {@code block}, or {@link #MALFORMED}. */
  static int count(ByteString block) {
    Reader r = new Reader(block);
    int fields = 0;
    while (r.more()) {
      int first = r.peek();
      boolean ok;
      if ((first & 0x80) != 0) { // 6.1 indexed field
        ok = r.integer(7) >= 0;
        fields++;
      } else if ((first & 0x40) != 0) { // 6.2.1 literal, incremental indexing
        ok = r.literal(6);
        fields++;
      } else if ((first & 0x20) != 0) { // 6.3 dynamic table size update: no field
        ok = r.integer(5) >= 0;
      } else { // 6.2.2 / 6.2.3 literal without indexing, never indexed
        ok = r.literal(4);
        fields++;
      }
      if (!ok) return MALFORMED;
    }
    return fields;
  }

  private static final class Reader {
    private final ByteString bytes;
    private int at;

    Reader(ByteString bytes) {
      this.bytes = bytes;
    }

    boolean more() {
      return at < bytes.size();
    }

    int peek() {
      return bytes.apply(at) & 0xff;
    }

    /** 5.1: an integer with an N-bit prefix; -1 when truncated or over 2^28. */
    int integer(int prefixBits) {
      if (at >= bytes.size()) return -1;
      int mask = (1 << prefixBits) - 1;
      int value = bytes.apply(at++) & mask;
      if (value < mask) return value;
      for (int shift = 0; shift <= 21; shift += 7) {
        if (at >= bytes.size()) return -1;
        int b = bytes.apply(at++) & 0xff;
        value += (b & 0x7f) << shift;
        if ((b & 0x80) == 0) return value;
      }
      return -1;
    }

    /** 5.2: a string literal (its Huffman bit and length, then its octets), skipped. */
    boolean string() {
      int length = integer(7);
      if (length < 0 || length > bytes.size() - at) return false;
      at += length;
      return true;
    }

    /** 6.2: a literal field: its name's index (0: the name follows as a string), then its value. */
    boolean literal(int prefixBits) {
      int index = integer(prefixBits);
      if (index < 0) return false;
      if (index == 0 && !string()) return false;
      return string();
    }
  }
}
