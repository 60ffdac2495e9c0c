package dev.profileengine.gateway.grpc;

import akka.util.ByteString;
import akka.util.ByteStringBuilder;
import java.io.ByteArrayOutputStream;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A client's HTTP/2 frames after the preface, read as they arrive, one instance per connection:
 * every frame passes on at once except a header block (a HEADERS frame and its CONTINUATION
 * frames), which is held until its END_HEADERS and passes only within the limits. Akka HTTP
 * 10.5 gathers a block's fragments with no bound (CONTINUATION frames, one after the other, until
 * memory runs out) and decodes it with no bound on the header list; here a block may hold at most
 * {@code maxBlockBytes} (its frames' headers counted, so empty CONTINUATION frames count too)
 * and {@code maxFields} header fields, else the connection is refused with a GOAWAY
 * (ENHANCE_YOUR_CALM) whose debug data names the limit. Frames that break the protocol otherwise
 * pass on for Akka's own framing to refuse.
 */
final class ClientFrames {
  static final int FRAME_HEADER = 9;
  static final int HEADERS = 0x1, GOAWAY = 0x7, CONTINUATION = 0x9;
  static final int END_HEADERS = 0x4, PADDED = 0x8, PRIORITY = 0x20;
  /** RFC 9113 7: the peer exceeds a limit. */
  static final int ENHANCE_YOUR_CALM = 0xb;

  /** What a read allows: the bytes the HTTP/2 layer may have now, and the refusal when a limit is passed (null: none). */
  record Read(ByteString forward, Refusal refusal) {}

  /** A limit passed: the GOAWAY frame to send before closing, and why. */
  record Refusal(String reason, ByteString goAway) {}

  /** A frame's 9-byte header (RFC 9113 4.1). */
  record FrameHeader(int length, int type, int flags, int stream) {
    /** The header at the start of {@code bytes} (at least 9 of them). */
    static FrameHeader of(ByteString bytes) {
      return new FrameHeader((bytes.apply(0) & 0xff) << 16 | (bytes.apply(1) & 0xff) << 8 | bytes.apply(2) & 0xff,
          bytes.apply(3) & 0xff, bytes.apply(4) & 0xff,
          (bytes.apply(5) & 0x7f) << 24 | (bytes.apply(6) & 0xff) << 16 | (bytes.apply(7) & 0xff) << 8 | bytes.apply(8) & 0xff);
    }
  }

  private final int maxBlockBytes;
  private final int maxFields;

  /** The bytes of a frame header not complete yet. */
  private ByteString partialHeader = ByteString.emptyByteString();
  /** Payload bytes of the current frame still to come. */
  private int payloadLeft;
  /** Whether the current frame is part of the held header block. */
  private boolean holding;
  /** The open header block's frames as received (copied: a block sent a byte at a time stays compact), null when none is open. */
  private ByteArrayOutputStream block;
  private int blockStream;
  /** The last frame of the block has its END_HEADERS flag. */
  private boolean blockEnds;
  /** The highest stream whose HEADERS reached the layer: a GOAWAY's last stream. */
  private int lastStream;
  /** Set once a limit is passed: nothing passes on after it. */
  private Refusal refusal;

  ClientFrames(int maxBlockBytes, int maxFields) {
    this.maxBlockBytes = maxBlockBytes;
    this.maxFields = maxFields;
  }

  /** Reads the next bytes the client sent. After a refusal nothing more passes. */
  Read read(ByteString bytes) {
    if (refusal != null) return new Read(ByteString.emptyByteString(), null);
    ByteString forward = ByteString.emptyByteString();
    while (!bytes.isEmpty()) {
      if (payloadLeft > 0) {
        int n = Math.min(payloadLeft, bytes.size());
        ByteString part = bytes.take(n);
        bytes = bytes.drop(n);
        payloadLeft -= n;
        if (holding) block.writeBytes(part.toArray());
        else forward = forward.concat(part);
        if (payloadLeft == 0 && holding) forward = forward.concat(endOfHeldFrame());
        if (refusal != null) return new Read(forward, refusal);
        continue;
      }
      int n = Math.min(FRAME_HEADER - partialHeader.size(), bytes.size());
      partialHeader = partialHeader.concat(bytes.take(n));
      bytes = bytes.drop(n);
      if (partialHeader.size() < FRAME_HEADER) break;
      ByteString header = partialHeader;
      partialHeader = ByteString.emptyByteString();
      forward = forward.concat(startFrame(header));
      if (refusal != null) return new Read(forward, refusal);
    }
    return new Read(forward, null);
  }

  /** The bytes held when the client's side ends: a frame header cut short, or a header block not ended. */
  ByteString unfinished() {
    if (refusal != null) return ByteString.emptyByteString();
    ByteString heldBlock = block == null ? ByteString.emptyByteString() : ByteString.fromArrayUnsafe(block.toByteArray());
    return heldBlock.concat(partialHeader);
  }

  /** A frame's header has arrived: what passes on now. */
  private ByteString startFrame(ByteString header) {
    FrameHeader h = FrameHeader.of(header);
    int length = h.length();
    payloadLeft = length;
    ByteString released = ByteString.emptyByteString();
    if (block != null && !(h.type() == CONTINUATION && h.stream() == blockStream)) {
      released = ByteString.fromArrayUnsafe(block.toByteArray()); // broken sequence: Akka's framing refuses it
      block = null;
    }
    if (block == null && h.type() != HEADERS) {
      holding = false;
      return released.concat(header);
    }
    if (block == null) {
      block = new ByteArrayOutputStream();
      blockStream = h.stream();
    }
    holding = true;
    block.writeBytes(header.toArray());
    blockEnds = (h.flags() & END_HEADERS) != 0;
    if (block.size() + (long) length > maxBlockBytes) {
      refuse("header block over " + maxBlockBytes + " bytes");
      return released;
    }
    return length == 0 ? released.concat(endOfHeldFrame()) : released;
  }

  /** A held frame is complete: at the block's end its fields are counted and the block passes on. */
  private ByteString endOfHeldFrame() {
    holding = false;
    if (!blockEnds) return ByteString.emptyByteString();
    byte[] frames = block.toByteArray();
    block = null;
    int fields = HpackFields.count(fragments(frames));
    if (fields > maxFields) {
      refuse("header block of more than " + maxFields + " fields");
      return ByteString.emptyByteString();
    }
    lastStream = Math.max(lastStream, blockStream);
    return ByteString.fromArrayUnsafe(frames);
  }

  /** Whether a header block has begun and not ended. */
  boolean blockOpen() {
    return block != null; // a refusal drops the block
  }

  /** Refuses the connection for {@code reason} (a limit passed here or a deadline kept by the caller): the GOAWAY to send. */
  ByteString refuse(String reason) {
    block = null;
    refusal = new Refusal(reason, goAway(lastStream, ENHANCE_YOUR_CALM, reason));
    return refusal.goAway();
  }

  /**
   * The header block fragment of a whole block's frames: HEADERS' padding and priority left out.
   * Copied out of the array in one pass: a block of thousands of small CONTINUATION frames cut into
   * slices and joined costs milliseconds to read back byte by byte.
   */
  static ByteString fragments(byte[] frames) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(frames.length);
    for (int at = 0; at + FRAME_HEADER <= frames.length; ) {
      FrameHeader h = FrameHeader.of(ByteString.fromArrayUnsafe(frames, at, FRAME_HEADER));
      int from = at + FRAME_HEADER;
      int to = Math.min(frames.length, from + h.length());
      at = to;
      if (h.type() == HEADERS) {
        int pad = 0;
        if ((h.flags() & PADDED) != 0 && from < to) pad = frames[from++] & 0xff;
        if ((h.flags() & PRIORITY) != 0) from = Math.min(to, from + 5);
        to = Math.max(from, to - pad);
      }
      out.write(frames, from, to - from);
    }
    return ByteString.fromArrayUnsafe(out.toByteArray());
  }

  /** A GOAWAY frame (RFC 9113 6.8) with {@code reason} as its debug data. */
  static ByteString goAway(int lastStream, int errorCode, String reason) {
    ByteStringBuilder payload = new ByteStringBuilder();
    payload.putInt(lastStream, ByteOrder.BIG_ENDIAN).putInt(errorCode, ByteOrder.BIG_ENDIAN).putBytes(reason.getBytes(StandardCharsets.US_ASCII));
    return frame(GOAWAY, 0, 0, payload.result());
  }

  /** A frame (RFC 9113 4.1): 24-bit length, type, flags, stream, payload. */
  static ByteString frame(int type, int flags, int stream, ByteString payload) {
    ByteStringBuilder b = new ByteStringBuilder();
    b.putByte((byte) (payload.size() >>> 16)).putByte((byte) (payload.size() >>> 8)).putByte((byte) payload.size());
    b.putByte((byte) type).putByte((byte) flags).putInt(stream, ByteOrder.BIG_ENDIAN);
    return b.result().concat(payload);
  }
}
