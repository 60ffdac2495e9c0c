package dev.profileengine.bench;

import akka.actor.ActorSystem;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.SerializerWithStringManifest;
import akka.serialization.Serializers;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.profileengine.engine.EngineSettings;
import dev.profileengine.engine.UserProfile;
import dev.profileengine.profile.BehaviorEvent;
import dev.profileengine.profile.EventContext;
import dev.profileengine.profile.ProfileSettings;
import dev.profileengine.profile.ProfileState;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the journal pays per event and per snapshot: Akka's own serializer for the engine's
 * bindings (engine-serialization.conf: {@code CborSerializable} and {@code ProfileState} to
 * {@code jackson-cbor}, plus the JavaTimeModule), taken from a local ActorSystem started with the
 * engine's configuration. This is the exact byte array akka-persistence-jdbc stores in
 * {@code event_payload} / {@code snapshot_payload} (with the manifest beside it).
 *
 * <p>Objects: {@code EventRecorded} of a real Taobao event ({@code taobao}: id, user, type, time,
 * item, category) and of a fully populated event ({@code full}: plus brand, price, quantity,
 * query, dwell, depth, context); {@code ProfileState} snapshots of the {@code median} (~79
 * events) and {@code warm} (1,000 events) profiles of {@link BenchData}. Sizes are printed once
 * per fork ("serialized size ...").
 *
 * <p>{@code java -jar load-tests/target/benchmarks.jar Serialization -f 1 -wi 3 -i 5}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class SerializationBenchmark {

  /** {@code event:taobao}, {@code event:full}, {@code snapshot:median}, {@code snapshot:warm}. */
  @Param({"event:taobao", "event:full", "snapshot:median", "snapshot:warm"})
  public String object;

  private ActorSystem system;
  private SerializerWithStringManifest serializer;
  private Object value;
  private String manifest;
  private byte[] bytes;

  /** The engine's configuration with a local provider: no cluster, no remoting port, no journal. */
  static Config engineConfig() {
    // Warnings to stdout: the benchmark jar carries no SLF4J binding.
    return ConfigFactory.parseString("akka.actor.provider = local\nakka.loglevel = WARNING\nakka.stdout-loglevel = WARNING\n"
            + "akka.loggers = [\"akka.event.Logging$DefaultLogger\"]\nakka.logging-filter = \"akka.event.DefaultLoggingFilter\"")
        .withFallback(ConfigFactory.load("engine.conf"));
  }

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    system = ActorSystem.create("serialization-bench", engineConfig());
    Serialization serialization = SerializationExtension.get(system);
    ProfileSettings settings = EngineSettings.from(system.settings().config()).profile();
    value = switch (object) {
      case "event:taobao" -> new UserProfile.EventRecorded(BenchData.load().profile("median", settings).next());
      case "event:full" -> new UserProfile.EventRecorded(BenchData.load().profile("median", settings).next()
          .withPurchase("brand-4711", 129.9, 2)
          .withBrowsing("running shoes", 5400L, 3, new EventContext("mobile", "android", "app", "CN", "Hangzhou", "wifi")));
      case "snapshot:median" -> BenchData.load().profile("median", settings).state();
      case "snapshot:warm" -> BenchData.load().profile("warm", settings).state();
      default -> throw new IllegalArgumentException(object);
    };
    Serializer s = serialization.findSerializerFor(value);
    if (!(s instanceof SerializerWithStringManifest m)) throw new IllegalStateException("unexpected serializer " + s.getClass());
    serializer = m;
    manifest = Serializers.manifestFor(serializer, value);
    bytes = serializer.toBinary(value);
    Object back = serializer.fromBinary(bytes, manifest);
    byte[] again = serializer.toBinary(back);
    if (!Arrays.equals(bytes, again)) throw new IllegalStateException(object + " does not round-trip through " + serializer.getClass().getSimpleName());
    String identity = s.getClass().getSimpleName() + " (id " + s.identifier() + ")";
    System.out.printf("%nserialized size %s: %,d bytes via %s on Jackson %s, manifest \"%s\"%s%n", object, bytes.length, identity,
        com.fasterxml.jackson.databind.cfg.PackageVersion.VERSION, manifest,
        value instanceof ProfileState p ? " (" + p.eventCount() + " events, " + p.seen().size() + " remembered ids)" : "");
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Benchmark
  public byte[] serialize() {
    return serializer.toBinary(value);
  }

  @Benchmark
  public Object deserialize() throws Exception {
    return serializer.fromBinary(bytes, manifest);
  }
}
