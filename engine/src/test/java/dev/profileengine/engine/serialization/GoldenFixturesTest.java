package dev.profileengine.engine.serialization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.Behaviors;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.profileengine.engine.FieldByField;
import dev.profileengine.engine.cbor.CborSerializable;
import dev.profileengine.profile.ProfileState;
import java.io.NotSerializableException;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Stored data survives upgrades: every golden fixture (src/test/resources/golden; see
 * GoldenFixtureWriter) reads back field by field as the value it was written from, the fixtures of
 * the format before stable manifests ({@code legacy/}) included, and every type the engine
 * serializes has one.
 */
class GoldenFixturesTest {
  static final Path DIR = GoldenFixtureWriter.DIR;
  private static final ActorTestKit KIT = ActorTestKit.create(GoldenValues.SYSTEM, GoldenFixtureWriter.config());
  private static final Serialization SERIALIZATION = SerializationExtension.get(KIT.system().classicSystem());
  private static final ActorRef<Object> REF = KIT.spawn(Behaviors.ignore(), "reply-to");

  @AfterAll
  static void stop() {
    KIT.shutdownTestKit();
  }

  /** One fixture: the bytes as a journal row holds them. */
  record Fixture(String name, int serializerId, String manifest, byte[] payload) {
    static Fixture read(Path dir, String name) throws Exception {
      JsonNode sidecar = new ObjectMapper().readTree(dir.resolve(name + ".json").toFile());
      return new Fixture(name, sidecar.get("serializerId").asInt(), sidecar.get("manifest").asText(), Files.readAllBytes(dir.resolve(name + ".cbor")));
    }

    Object decode() {
      return SERIALIZATION.deserialize(payload, serializerId, manifest).get();
    }
  }

  static Fixture current(String name) throws Exception {
    return Fixture.read(DIR.resolve("current"), name);
  }

  static Fixture legacy(String name) throws Exception {
    return Fixture.read(DIR.resolve("legacy"), name);
  }

  @Test
  void everyCurrentFixtureReadsBackFieldByField() throws Exception {
    Map<String, Object> values = GoldenValues.all(REF);
    for (StableCborSerializer.Type t : StableCborSerializer.TYPES) {
      Fixture f = current(t.name());
      assertEquals(StableCborSerializer.IDENTIFIER, f.serializerId(), t.name());
      assertEquals(t.name() + "#" + t.version(), f.manifest(), "fixture of " + t.name() + " is of another version: regenerate it");
      FieldByField.assertSameValue(values.get(t.name()), f.decode());
    }
  }

  /** Rows and snapshots of a version before the current one (kept in {@code older/} on each bump) still read, field by field. */
  @Test
  void fixturesOfOlderVersionsStillRead() throws Exception {
    Map<String, Object> older = GoldenValues.older(REF);
    List<String> names;
    try (Stream<Path> files = Files.list(DIR.resolve("older"))) {
      names = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cbor")).map(n -> n.substring(0, n.length() - 5)).sorted().toList();
    }
    assertEquals(new TreeSet<>(older.keySet()), new TreeSet<>(names), "a value for every older fixture");
    for (String name : names) {
      Fixture f = Fixture.read(DIR.resolve("older"), name);
      String type = name.substring(0, name.lastIndexOf(".v"));
      assertEquals(type + "#" + name.substring(name.lastIndexOf(".v") + 2), f.manifest(), name);
      assertTrue(StableCborSerializer.typeOf(older.get(name).getClass()).version() > Integer.parseInt(name.substring(name.lastIndexOf(".v") + 2)),
          name + " is older than the current version");
      FieldByField.assertSameValue(older.get(name), f.decode());
    }
  }

  /**
   * A rolling update: a value that leaves a version's optional properties empty is written byte for
   * byte as the fixture of the older version (which that version's nodes read), and a value that uses
   * them as the current version.
   */
  @Test
  void aValueIsWrittenAsTheOldestVersionThatExpressesIt() throws Exception {
    Map<String, Object> older = GoldenValues.older(REF);
    Map<String, Object> values = GoldenValues.all(REF);
    int checked = 0;
    for (StableCborSerializer.Type t : StableCborSerializer.TYPES) {
      if (t.added().isEmpty()) continue;
      for (int v = t.oldestWritten(); v < t.version(); v++) {
        Object value = older.get(t.name() + ".v" + v);
        if (value == null) continue;
        Fixture f = Fixture.read(DIR.resolve("older"), t.name() + ".v" + v);
        assertEquals(f.manifest(), SERIALIZATION.findSerializerFor(value) instanceof StableCborSerializer s ? s.manifest(value) : null, f.name());
        byte[] written = SERIALIZATION.serialize(value).get();
        // A reply-to ref is written with its actor's uid, new in every run: the rest is the same.
        if (holdsRef(t)) FieldByField.assertSameValue(value, SERIALIZATION.deserialize(written, f.serializerId(), f.manifest()).get());
        else assertArrayEquals(f.payload(), written, f.name() + ": the bytes of that version");
        checked++;
      }
      Fixture current = current(t.name());
      Object value = values.get(t.name());
      assertEquals(t.name() + "#" + t.version(), ((StableCborSerializer) SERIALIZATION.findSerializerFor(value)).manifest(value));
      if (!holdsRef(t)) assertArrayEquals(current.payload(), SERIALIZATION.serialize(value).get(), t.name() + ": uses what only the current version has");
    }
    assertTrue(checked >= 7, "the older fixtures of types with optional properties (profile.Resolution.v1, ...): " + checked);
  }

  private static boolean holdsRef(StableCborSerializer.Type t) {
    return java.util.Arrays.stream(t.type().getRecordComponents()).anyMatch(c -> ActorRef.class.isAssignableFrom(c.getType()));
  }

  @Test
  void journalsWrittenBeforeStableManifestsStillRead() throws Exception {
    Map<String, Object> stored = GoldenValues.stored();
    List<String> legacyNames;
    try (Stream<Path> files = Files.list(DIR.resolve("legacy"))) {
      legacyNames = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cbor")).map(n -> n.substring(0, n.length() - 5)).sorted().toList();
    }
    assertEquals(new TreeSet<>(stored.keySet()), new TreeSet<>(legacyNames), "a legacy fixture for every journaled type of that format");
    for (String name : legacyNames) {
      Fixture f = legacy(name);
      assertEquals(33, f.serializerId(), name + ": Akka's jackson-cbor wrote it");
      assertTrue(f.manifest().startsWith("dev.profileengine.") && !f.manifest().contains("#"), name + ": a class-name manifest " + f.manifest());
      FieldByField.assertSameValue(stored.get(name), f.decode());
    }
  }

  /** Same mapper configuration as Akka's binding: an unchanged type is written byte for byte as before. */
  @Test
  void unchangedTypesAreWrittenWithTheSameBytesAsBefore() throws Exception {
    for (String name : List.of("profile.EventRecorded", "profile.ConsentSet", "profile.PredictionUpdated", "profile.SegmentsChanged",
        "profile.AttributesSet", "erasure.UserForgotten", "erasure.State")) {
      Object value = GoldenValues.stored().get(name);
      assertEquals(StableCborSerializer.IDENTIFIER, SERIALIZATION.findSerializerFor(value).identifier(), name);
      assertArrayEquals(legacy(name).payload(), SERIALIZATION.serialize(value).get(), name);
    }
  }

  @Test
  void everySerializableTypeIsRegisteredAndHasAFixture() throws Exception {
    Set<Class<?>> bound = new TreeSet<>((a, b) -> a.getName().compareTo(b.getName()));
    bound.addAll(cborSerializableClasses());
    bound.add(ProfileState.class);
    Set<Class<?>> registered = StableCborSerializer.TYPES.stream().map(StableCborSerializer.Type::type).collect(Collectors.toSet());
    List<String> missing = bound.stream().filter(c -> !registered.contains(c)).map(Class::getName).toList();
    assertEquals(List.of(), missing, "serialized types not in StableCborSerializer.TYPES (register them and regenerate the fixtures)");
    assertTrue(bound.size() >= 20, "found only " + bound);
    for (Class<?> c : bound) {
      String name = StableCborSerializer.typeOf(c).name();
      assertTrue(Files.exists(DIR.resolve("current").resolve(name + ".cbor")), "no golden fixture for " + name);
      assertEquals(StableCborSerializer.IDENTIFIER, SERIALIZATION.serializerFor(c).identifier(), c.getName() + " is bound to the stable serializer");
    }
    assertEquals(new TreeSet<>(StableCborSerializer.TYPES.stream().map(StableCborSerializer.Type::name).toList()),
        new TreeSet<>(GoldenValues.all(REF).keySet()), "a golden value per registered type");
  }

  @Test
  void aNewerOrUnknownFormatFailsInsteadOfBeingGuessed() throws Exception {
    Fixture state = current("profile.State");
    assertThrows(NotSerializableException.class, () -> SERIALIZATION.deserialize(state.payload(), state.serializerId(), "profile.State#" + (StableCborSerializer.typeOf(ProfileState.class).version() + 1)).get());
    assertThrows(NotSerializableException.class, () -> SERIALIZATION.deserialize(state.payload(), state.serializerId(), "profile.Renamed#1").get());
    Fixture event = current("profile.EventRecorded");
    // A field this build does not know (e.g. renamed without a migration) fails the read.
    byte[] renamed = new String(event.payload(), java.nio.charset.StandardCharsets.ISO_8859_1)
        .replace("categoryId", "categoryXX").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    assertFalse(java.util.Arrays.equals(renamed, event.payload()));
    assertThrows(NotSerializableException.class, () -> SERIALIZATION.deserialize(renamed, event.serializerId(), event.manifest()).get());
  }

  /** Concrete classes implementing CborSerializable in the engine's classes (directory or jar). */
  static List<Class<?>> cborSerializableClasses() throws Exception {
    URI location = CborSerializable.class.getProtectionDomain().getCodeSource().getLocation().toURI();
    Path root = Path.of(location);
    FileSystem jar = null;
    if (Files.isRegularFile(root)) {
      jar = FileSystems.newFileSystem(root);
      root = jar.getPath("/");
    }
    try (Stream<Path> files = Files.walk(root)) {
      List<Class<?>> out = new ArrayList<>();
      for (Path p : files.filter(f -> f.toString().endsWith(".class")).toList()) {
        String name = root.relativize(p).toString().replace('/', '.').replace(".class", "");
        if (name.contains("module-info")) continue;
        Class<?> c = Class.forName(name, false, CborSerializable.class.getClassLoader());
        if (CborSerializable.class.isAssignableFrom(c) && !c.isInterface() && !Modifier.isAbstract(c.getModifiers())) out.add(c);
      }
      return out;
    } finally {
      if (jar != null) jar.close();
    }
  }
}
