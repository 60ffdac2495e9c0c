package dev.profileengine.engine;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/** The engine's own configuration (engine.conf and Akka's reference, no application.conf) and its settings. */
public final class TestSettings {
  private TestSettings() {}

  /** engine.conf under {@code overrides}, resolved. */
  public static Config engineConfig(Config overrides) {
    return overrides.withFallback(ConfigFactory.parseResources("engine.conf")).withFallback(ConfigFactory.defaultReference()).resolve();
  }

  public static Config engineConfig() {
    return engineConfig(ConfigFactory.empty());
  }

  /** The engine's default settings. */
  public static EngineSettings defaults() {
    return EngineSettings.from(engineConfig());
  }
}
