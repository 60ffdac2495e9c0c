package dev.profileengine.engine.serialization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.Behaviors;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.Serializers;
import com.typesafe.config.ConfigFactory;
import dev.profileengine.engine.FieldByField;
import dev.profileengine.engine.serialization.GoldenFixturesTest.Fixture;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The first rollout from a build before stable manifests: a node with
 * {@code profile.serialization.write = legacy} writes exactly what the old build wrote and reads
 * the stable format too; a stable node reads what it writes.
 */
class SerializationWriteTest {
  @Test
  void aLegacyWritingNodeWritesTheOldFormatAndReadsBoth() throws Exception {
    ActorTestKit legacy = ActorTestKit.create(GoldenValues.SYSTEM, SerializationWrite.apply(
        ConfigFactory.parseString("profile.serialization.write = legacy").withFallback(GoldenFixtureWriter.config())));
    ActorTestKit stable = ActorTestKit.create(GoldenValues.SYSTEM, SerializationWrite.apply(GoldenFixtureWriter.config()));
    try {
      Serialization old = SerializationExtension.get(legacy.system().classicSystem());
      Serialization now = SerializationExtension.get(stable.system().classicSystem());
      for (Map.Entry<String, Object> e : GoldenValues.stored().entrySet()) {
        Fixture before = GoldenFixturesTest.legacy(e.getKey());
        Serializer s = old.findSerializerFor(e.getValue());
        assertEquals(before.serializerId(), s.identifier(), e.getKey());
        assertEquals(before.manifest(), Serializers.manifestFor(s, e.getValue()), e.getKey());
        byte[] written = old.serialize(e.getValue()).get();
        FieldByField.assertSameValue(e.getValue(), now.deserialize(written, s.identifier(), before.manifest()).get());
      }
      ActorRef<Object> ref = legacy.spawn(Behaviors.ignore(), "reply-to");
      Map<String, Object> all = GoldenValues.all(ref);
      for (StableCborSerializer.Type t : StableCborSerializer.TYPES) {
        Fixture f = GoldenFixturesTest.current(t.name());
        FieldByField.assertSameValue(all.get(t.name()), old.deserialize(f.payload(), f.serializerId(), f.manifest()).get());
      }
      assertEquals(StableCborSerializer.IDENTIFIER, now.findSerializerFor(GoldenValues.snapshot()).identifier());
    } finally {
      legacy.shutdownTestKit();
      stable.shutdownTestKit();
    }
  }

  @Test
  void anUnknownModeRefusesToStart() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SerializationWrite.apply(ConfigFactory.parseString("profile.serialization.write = json")));
    assertTrue(e.getMessage().contains("PROFILE_SERIALIZATION_WRITE"), e.getMessage());
  }
}
