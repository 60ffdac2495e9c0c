package dev.profileengine.engine.node;

import akka.util.Version;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Properties;

/**
 * The node's {@code akka.cluster.app-version}: {@code profile.app-version} (PROFILE_APP_VERSION)
 * when set, else the version of this build. Sharding uses it in rolling updates: new shards and
 * shards handed off go to the members of the newest version, so a shard is not moved onto a node
 * that is about to be replaced.
 */
public final class AppVersion {
  private AppVersion() {}

  /** The Maven project version this engine was built as (a filtered resource). */
  public static String build() {
    try (InputStream in = AppVersion.class.getResourceAsStream("/profile-engine-version.properties")) {
      if (in == null) throw new IllegalStateException("profile-engine-version.properties missing from the engine's classes");
      Properties p = new Properties();
      p.load(in);
      String v = p.getProperty("version", "");
      if (v.isBlank() || v.contains("${")) throw new IllegalStateException("profile-engine-version.properties was not filtered: " + v);
      return v;
    } catch (IOException e) {
      throw new IllegalStateException("cannot read profile-engine-version.properties: " + e.getMessage(), e);
    }
  }

  /** {@code config} with {@code akka.cluster.app-version} set; a version that does not parse refuses to start. */
  public static Config apply(Config config) {
    String configured = config.hasPath("profile.app-version") ? config.getString("profile.app-version").trim() : "";
    String version = configured.isEmpty() ? build() : configured;
    try {
      new Version(version).parse();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("profile.app-version (PROFILE_APP_VERSION) \"" + version + "\" is not a version like 1.4.2: " + e.getMessage(), e);
    }
    return ConfigFactory.parseMap(Map.of("akka.cluster.app-version", version)).withFallback(config);
  }
}
