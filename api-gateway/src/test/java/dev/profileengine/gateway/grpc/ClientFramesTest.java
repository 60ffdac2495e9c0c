package dev.profileengine.gateway.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.util.ByteString;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The gRPC port's frame checks as pure functions: what passes, what is held, what is refused. */
class ClientFramesTest {
  private static final int MAX_BYTES = 64 * 1024, MAX_FIELDS = 64;
  private static final int SETTINGS = 0x4, DATA = 0x0, PING = 0x6;

  @Test
  void fieldsAreCountedByTheirRepresentations() {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(0x82); // indexed: :method GET
    b.writeBytes(new byte[] {(byte) 0xff, (byte) 0x80, 0x01}); // indexed, a multi-byte index (255)
    b.writeBytes(new byte[] {0x41, 3, 'a', 'b', 'c'}); // incremental indexing, indexed name (:authority)
    b.writeBytes(new byte[] {0x40, 1, 'x', (byte) 0x81, 0x1f}); // incremental indexing, new name, a Huffman value of 1 byte
    b.writeBytes(new byte[] {0x3f, (byte) 0xe1, 0x1f}); // a table size update (4096): no field
    b.writeBytes(new byte[] {0x00, 1, 'n', 1, 'v'}); // without indexing, new name
    b.writeBytes(new byte[] {0x1f, 0x01, 0}); // never indexed, index 16 (multi-byte), an empty value
    assertEquals(6, HpackFields.count(ByteString.fromArray(b.toByteArray())));
    assertEquals(0, HpackFields.count(ByteString.emptyByteString()));
    assertEquals(HpackFields.MALFORMED, HpackFields.count(ByteString.fromArray(new byte[] {0x40, 5, 'a'})), "a name shorter than its length");
    assertEquals(HpackFields.MALFORMED, HpackFields.count(ByteString.fromArray(new byte[] {(byte) 0xff, (byte) 0x80})), "an unfinished integer");
    assertEquals(HpackFields.MALFORMED, HpackFields.count(ByteString.fromArray(new byte[] {(byte) 0xff, -1, -1, -1, -1, 0x01})), "an integer over 2^28");
  }

  @Test
  void framesPassUnchangedHoweverTheyAreSplit() {
    ByteString frames = frame(SETTINGS, 0, 0, new byte[6])
        .concat(frame(ClientFrames.HEADERS, 0, 1, fields(3)))
        .concat(frame(ClientFrames.CONTINUATION, ClientFrames.END_HEADERS, 1, fields(2)))
        .concat(frame(DATA, 1, 1, new byte[300]))
        .concat(frame(ClientFrames.HEADERS, ClientFrames.END_HEADERS | ClientFrames.PADDED | ClientFrames.PRIORITY, 3, padded(fields(4), 10)))
        .concat(frame(PING, 0, 0, new byte[8]));
    for (int piece = 1; piece <= frames.size(); piece++) {
      ClientFrames reader = new ClientFrames(MAX_BYTES, MAX_FIELDS);
      ByteString out = ByteString.emptyByteString();
      for (int at = 0; at < frames.size(); at += piece) {
        ClientFrames.Read read = reader.read(frames.slice(at, Math.min(frames.size(), at + piece)));
        assertNull(read.refusal(), "pieces of " + piece);
        out = out.concat(read.forward());
      }
      assertEquals(frames, out, "pieces of " + piece);
    }
  }

  @Test
  void aHeaderBlockIsHeldUntilItsEnd() {
    ClientFrames reader = new ClientFrames(MAX_BYTES, MAX_FIELDS);
    ByteString first = frame(ClientFrames.HEADERS, 0, 1, fields(3));
    assertEquals(ByteString.emptyByteString(), reader.read(first).forward(), "nothing of an open block passes");
    ByteString data = frame(DATA, 0, 0, new byte[4]); // not a CONTINUATION: a broken block goes on as it came, for Akka to refuse
    assertEquals(first.concat(data), reader.read(data).forward());
  }

  @Test
  void whatIsHeldWhenTheClientEndsIsGivenBackForAkkasFramingToReport() {
    ClientFrames reader = new ClientFrames(MAX_BYTES, MAX_FIELDS);
    ByteString first = frame(ClientFrames.HEADERS, 0, 1, fields(3));
    ByteString cut = frame(ClientFrames.CONTINUATION, ClientFrames.END_HEADERS, 1, fields(1)).take(5);
    assertEquals(ByteString.emptyByteString(), reader.read(first.concat(cut)).forward());
    assertEquals(first.concat(cut), reader.unfinished());
    ClientFrames other = new ClientFrames(MAX_BYTES, MAX_FIELDS);
    assertEquals(ByteString.fromArray(new byte[] {0, 0}), other.read(ByteString.fromArray(new byte[] {0, 0})).forward().concat(other.unfinished()));
  }

  @Test
  void aContinuationFloodIsRefusedAtTheLimitWithNothingOfItPassed() {
    ClientFrames reader = new ClientFrames(MAX_BYTES, MAX_FIELDS);
    assertEquals(ByteString.emptyByteString(), reader.read(frame(ClientFrames.HEADERS, 0, 1, fields(3))).forward());
    ClientFrames.Read read = null;
    int frames = 0;
    while (read == null || read.refusal() == null) {
      read = reader.read(frame(ClientFrames.CONTINUATION, 0, 1, new byte[16_384]));
      assertEquals(ByteString.emptyByteString(), read.forward());
      frames++;
    }
    assertEquals(4, frames, "refused at the frame that would pass 64 KiB");
    assertGoAway(read.refusal(), 0, "header block over 65536 bytes");
    assertEquals(ByteString.emptyByteString(), reader.read(frame(PING, 0, 0, new byte[8])).forward(), "nothing after a refusal");
  }

  @Test
  void emptyContinuationFramesCountTheirHeaders() {
    ClientFrames reader = new ClientFrames(MAX_BYTES, MAX_FIELDS);
    reader.read(frame(ClientFrames.HEADERS, ClientFrames.END_HEADERS, 1, fields(1)));
    reader.read(frame(ClientFrames.HEADERS, 0, 3, fields(1)));
    ClientFrames.Read read = null;
    int frames = 0;
    while (read == null || read.refusal() == null) {
      read = reader.read(frame(ClientFrames.CONTINUATION, 0, 3, new byte[0]));
      frames++;
    }
    assertTrue(frames > 7_000 && frames < 7_300, frames + " empty frames");
    assertGoAway(read.refusal(), 1, "header block over 65536 bytes");
  }

  @Test
  void aBlockOfMoreFieldsThanTheLimitIsRefusedHoweverSmall() {
    ClientFrames reader = new ClientFrames(MAX_BYTES, MAX_FIELDS);
    ByteString ok = frame(ClientFrames.HEADERS, ClientFrames.END_HEADERS, 1, indexed(64).toArray());
    assertEquals(ok, reader.read(ok).forward());
    // A 4 KB entry put in the dynamic table, then referred to 100 times by one byte each: 400 KB decoded from 4 KB sent.
    ByteArrayOutputStream bomb = new ByteArrayOutputStream();
    bomb.writeBytes(new byte[] {0x40, 1, 'x', 0x7f, (byte) 0xa1, 0x1e}); // a value of 127 + 33 + 30 * 128 = 4,000 bytes
    bomb.writeBytes(new byte[4_000]);
    for (int i = 0; i < 100; i++) bomb.write(0x80 | 62); // the first entry of the dynamic table
    ClientFrames.Read read = reader.read(frame(ClientFrames.HEADERS, ClientFrames.END_HEADERS, 3, bomb.toByteArray()));
    assertEquals(ByteString.emptyByteString(), read.forward());
    assertGoAway(read.refusal(), 1, "header block of more than 64 fields");
  }

  @Test
  void paddingIsNotReadAsFields() {
    ClientFrames reader = new ClientFrames(MAX_BYTES, MAX_FIELDS);
    // 200 bytes of padding of 0x82 would be 200 indexed fields if it were read as the block.
    byte[] payload = padded(indexed(10).toArray(), 200);
    java.util.Arrays.fill(payload, payload.length - 200, payload.length, (byte) 0x82);
    ByteString frame = frame(ClientFrames.HEADERS, ClientFrames.END_HEADERS | ClientFrames.PADDED | ClientFrames.PRIORITY, 1, payload);
    ClientFrames.Read read = reader.read(frame);
    assertNull(read.refusal());
    assertEquals(frame, read.forward());
  }

  private static void assertGoAway(ClientFrames.Refusal refusal, int lastStream, String reason) {
    assertNotNull(refusal);
    assertEquals(reason, refusal.reason());
    ByteString g = refusal.goAway();
    assertEquals(ClientFrames.GOAWAY, g.apply(3));
    assertEquals(8 + reason.length(), (g.apply(0) & 0xff) << 16 | (g.apply(1) & 0xff) << 8 | g.apply(2) & 0xff);
    assertEquals(lastStream, g.iterator().drop(9).getInt(java.nio.ByteOrder.BIG_ENDIAN));
    assertEquals(ClientFrames.ENHANCE_YOUR_CALM, g.iterator().drop(13).getInt(java.nio.ByteOrder.BIG_ENDIAN));
    assertEquals(reason, g.drop(17).decodeString(StandardCharsets.US_ASCII));
  }

  /** {@code n} literal fields without indexing. */
  private static byte[] fields(int n) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int i = 0; i < n; i++) b.writeBytes(new byte[] {0x00, 2, 'x', (byte) ('a' + i % 26), 1, 'v'});
    return b.toByteArray();
  }

  private static ByteString indexed(int n) {
    byte[] b = new byte[n];
    java.util.Arrays.fill(b, (byte) 0x82);
    return ByteString.fromArray(b);
  }

  /** A PADDED and PRIORITY HEADERS payload: pad length, 5 bytes of priority, the block, the padding. */
  private static byte[] padded(byte[] block, int padding) {
    byte[] p = new byte[1 + 5 + block.length + padding];
    p[0] = (byte) padding;
    System.arraycopy(block, 0, p, 6, block.length);
    return p;
  }

  private static ByteString frame(int type, int flags, int stream, byte[] payload) {
    return ClientFrames.frame(type, flags, stream, ByteString.fromArray(payload));
  }
}
