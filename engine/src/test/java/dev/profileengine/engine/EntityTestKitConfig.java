package dev.profileengine.engine;

import akka.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/** The persistence test kit's in-memory journal and snapshots with the engine's profile and serialization settings. */
public final class EntityTestKitConfig {
  /** Real CBOR of every command, event and state the test kit sees. */
  public static final Config CONFIG = EventSourcedBehaviorTestKit.config()
      .withFallback(PersistenceTestKitSnapshotPlugin.getInstance().config())
      .withFallback(ConfigFactory.parseResources("engine-profile.conf"))
      .withFallback(ConfigFactory.parseResources("engine-serialization.conf"))
      .withFallback(ConfigFactory.defaultReference())
      .resolve();

  private EntityTestKitConfig() {}
}
