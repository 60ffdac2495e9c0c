package dev.profileengine.engine.serialization;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.Behaviors;
import akka.serialization.Serialization$;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.Serializers;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Writes the golden fixtures of src/test/resources/golden. Not part of the normal build (its name
 * does not match the test includes); regenerate the current-format fixtures after adding a type with
 *
 * <pre>mvn -B -o -pl engine -am test -Dtest=GoldenFixtureWriter -Dsurefire.failIfNoSpecifiedTests=false</pre>
 *
 * and commit them. It writes the fixtures of new types and of types whose version changed and keeps
 * the others ({@code -Dgolden.overwrite=true} rewrites all, e.g. after a golden value changed on
 * purpose). The fixture of a type whose version changed is kept in {@code older/} as
 * {@code <name>.v<version>} first: the proof that rows and snapshots of that version still read
 * (GoldenFixturesTest reads each back as {@code GoldenValues.older}). The {@code legacy/} fixtures are the rows the code before stable manifests wrote
 * (Akka's jackson-cbor, class-name manifests); they were written once by that code and are never
 * regenerated ({@code -Dgolden.legacy=true} wrote them, on the commit before StableCborSerializer).
 */
class GoldenFixtureWriter {
  static final Path DIR = Path.of("src/test/resources/golden");

  @Test
  void write() throws Exception {
    boolean legacy = Boolean.getBoolean("golden.legacy");
    if (legacy && Files.exists(DIR.resolve("legacy")))
      throw new IllegalStateException("the legacy fixtures are what the old build wrote: they are never rewritten");
    ActorTestKit kit = ActorTestKit.create(GoldenValues.SYSTEM, config());
    try {
      ActorRef<Object> ref = kit.spawn(Behaviors.ignore(), "reply-to");
      Serialization serialization = SerializationExtension.get(kit.system().classicSystem());
      Map<String, Object> values = legacy ? GoldenValues.stored() : GoldenValues.all(ref);
      Path dir = DIR.resolve(legacy ? "legacy" : "current");
      boolean overwrite = Boolean.getBoolean("golden.overwrite");
      int written = 0;
      Files.createDirectories(dir);
      for (Map.Entry<String, Object> e : values.entrySet()) {
        Serializer serializer = legacy ? serialization.serializerByIdentity().apply(33) : serialization.findSerializerFor(e.getValue());
        byte[] bytes = Serialization$.MODULE$.withTransportInformation(serialization.system(), () -> serializer.toBinary(e.getValue()));
        String manifest = Serializers.manifestFor(serializer, e.getValue());
        String sidecar = "{\"serializerId\": " + serializer.identifier() + ", \"manifest\": \"" + manifest + "\"}\n";
        Path existing = dir.resolve(e.getKey() + ".json");
        // A fixture of the same format stays: it is the proof that data written then still reads.
        if (!overwrite && Files.exists(existing) && Files.readString(existing).equals(sidecar)) continue;
        if (!legacy && Files.exists(existing)) keepOlder(dir, e.getKey(), Files.readString(existing), manifest);
        written++;
        Files.write(dir.resolve(e.getKey() + ".cbor"), bytes);
        Files.writeString(existing, sidecar, StandardCharsets.UTF_8);
      }
      System.out.println("wrote " + written + " of " + values.size() + " fixtures to " + dir.toAbsolutePath());
    } finally {
      kit.shutdownTestKit();
    }
  }

  /** Copies the fixture {@code name} of another version than {@code manifest} to {@code older/} (once per version). */
  private static void keepOlder(Path dir, String name, String sidecar, String manifest) throws java.io.IOException {
    String stored = new com.fasterxml.jackson.databind.ObjectMapper().readTree(sidecar).get("manifest").asText();
    if (stored.equals(manifest)) return;
    Path older = DIR.resolve("older");
    Files.createDirectories(older);
    String kept = name + ".v" + stored.substring(stored.lastIndexOf('#') + 1);
    if (Files.exists(older.resolve(kept + ".cbor"))) return;
    Files.copy(dir.resolve(name + ".cbor"), older.resolve(kept + ".cbor"));
    Files.copy(dir.resolve(name + ".json"), older.resolve(kept + ".json"));
  }

  /** A local system with the engine's serialization (the fixtures hold no address of a cluster). */
  static Config config() {
    return ConfigFactory.parseResources("engine-serialization.conf")
        .withFallback(ConfigFactory.parseString("akka.actor.provider = local"))
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
  }
}
