package dev.profileengine.gateway.grpc;

import akka.util.ByteString;
import akka.util.ByteStringBuilder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the gRPC port's frame checks ({@link ClientFrames}: frame headers read, each header block
 * held and its fields counted) cost per call: the bytes a client sends for one {@code IngestEvents}
 * call of 500 events (a header block of a gRPC client's 9 fields, the message in 16 KiB DATA
 * frames), arriving in TCP reads of {@code read} bytes; and the costliest block to read, 4,000 small
 * CONTINUATION frames. In this package for the class's package-private access.
 *
 * <p>{@code java -jar load-tests/target/benchmarks.jar ClientFrames -f 1 -wi 3 -i 5}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@State(Scope.Benchmark)
public class ClientFramesBenchmark {
  /** Bytes per TCP read handed to the guard. */
  @Param({"1460", "65536"})
  public int read;

  /** An event's size in a gRPC message of the sample's rows (ids, type, time, item, category). */
  private static final int EVENT_BYTES = 80;
  private List<ByteString> reads;

  @Setup
  public void setUp() {
    ByteStringBuilder block = new ByteStringBuilder();
    for (String[] h : new String[][] {{":method", "POST"}, {":scheme", "http"}, {":path", "/profileengine.v1.ProfileService/IngestEvents"},
        {":authority", "127.0.0.1:8081"}, {"content-type", "application/grpc"}, {"te", "trailers"},
        {"authorization", "Bearer ingest-5c8e2a9f1d7b4e6a3c0f8d2b9e5a7c1f"}, {"grpc-accept-encoding", "gzip"}, {"user-agent", "grpc-java-netty/1.60"}}) {
      block.putByte((byte) 0);
      literal(block, h[0]);
      literal(block, h[1]);
    }
    ByteString call = ClientFrames.frame(ClientFrames.HEADERS, ClientFrames.END_HEADERS, 1, block.result());
    ByteString message = ByteString.fromArray(new byte[5 + 500 * EVENT_BYTES]);
    for (int at = 0; at < message.size(); at += 16_384) {
      boolean last = at + 16_384 >= message.size();
      call = call.concat(ClientFrames.frame(0, last ? 1 : 0, 1, message.slice(at, Math.min(message.size(), at + 16_384))));
    }
    reads = new ArrayList<>();
    for (int at = 0; at < call.size(); at += read) reads.add(call.slice(at, Math.min(call.size(), at + read)).compact());
  }

  /** The worst block under 64 KiB to read: a HEADERS frame and 4,000 CONTINUATION frames of 7 bytes (refused: 28,001 fields). */
  private ByteString smallFrames;

  @Setup
  public void setUpSmallFrames() {
    byte[] seven = new byte[7];
    java.util.Arrays.fill(seven, (byte) 0x82);
    ByteStringBuilder b = new ByteStringBuilder();
    b.append(ClientFrames.frame(ClientFrames.HEADERS, 0, 1, ByteString.fromArray(new byte[] {(byte) 0x82})));
    for (int i = 0; i < 4_000; i++) b.append(ClientFrames.frame(ClientFrames.CONTINUATION, i == 3_999 ? ClientFrames.END_HEADERS : 0, 1, ByteString.fromArray(seven)));
    smallFrames = b.result().compact();
  }

  /** A block of 4,000 small CONTINUATION frames in one read: ns until it is refused. */
  @Benchmark
  public Object manySmallContinuations() {
    return new ClientFrames(64 * 1024, 64).read(smallFrames).refusal();
  }

  private static void literal(ByteStringBuilder b, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.US_ASCII);
    b.putByte((byte) bytes.length).putBytes(bytes); // every string here is under 127 bytes
  }

  /** One call's bytes through a connection's reader: ns per call (500 events). */
  @Benchmark
  public int oneIngestCall() {
    ClientFrames frames = new ClientFrames(64 * 1024, 64);
    int passed = 0;
    for (ByteString r : reads) passed += frames.read(r).forward().size();
    return passed;
  }
}
