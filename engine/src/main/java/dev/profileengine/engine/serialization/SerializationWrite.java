package dev.profileengine.engine.serialization;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValueFactory;
import dev.profileengine.engine.cbor.CborSerializable;

/**
 * {@code profile.serialization.write} (PROFILE_SERIALIZATION_WRITE): {@code stable}, the default,
 * writes with {@link StableCborSerializer}; {@code legacy} writes as builds before it did (Akka's
 * jackson-cbor, class-name manifests) while reading both. Legacy is the first step of a rolling
 * update from such a build: its nodes cannot read the stable serializer, so the new nodes must not
 * send or journal with it until every old node is gone; the second rollout goes back to stable.
 */
public final class SerializationWrite {
  private SerializationWrite() {}

  public static Config apply(Config config) {
    String mode = config.hasPath("profile.serialization.write") ? config.getString("profile.serialization.write") : "stable";
    return switch (mode) {
      case "stable" -> config;
      case "legacy" -> {
        // Old-format snapshots carry no type list: only right while the types are those of that format.
        if (!ProfileStateMigration.currentTypes().equals(ProfileStateMigration.V1_TYPES))
          throw new IllegalArgumentException("profile.serialization.write (PROFILE_SERIALIZATION_WRITE) = legacy is not possible: "
              + "the behavior types changed since that format");
        yield config
          .withValue(binding(CborSerializable.class), ConfigValueFactory.fromAnyRef("jackson-cbor"))
          .withValue(binding(dev.profileengine.profile.ProfileState.class), ConfigValueFactory.fromAnyRef("jackson-cbor"))
          // Without the migration Akka writes the snapshot under its plain class name, as the old build did
          // (same behavior types); the stable serializer reads such rows as version 1 like any old row.
          .withValue("akka.serialization.jackson.migrations", ConfigFactory.empty().root());
      }
      default -> throw new IllegalArgumentException(
          "profile.serialization.write (PROFILE_SERIALIZATION_WRITE) must be stable or legacy, not \"" + mode + "\"");
    };
  }

  private static String binding(Class<?> c) {
    return ConfigUtil.joinPath("akka", "actor", "serialization-bindings", c.getName());
  }
}
