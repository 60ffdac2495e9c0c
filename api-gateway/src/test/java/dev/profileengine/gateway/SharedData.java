package dev.profileengine.gateway;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the real behavior data of {@code ../shared/data} (see its SOURCES.md) for tests. */
final class SharedData {
  private SharedData() {}

  static Path file(String name) {
    String dir = System.getProperty("profile.shared.data", System.getenv().getOrDefault("PROFILE_SHARED_DATA", "../../shared/data"));
    Path p = Path.of(dir).resolve(name);
    if (!Files.isReadable(p)) {
      throw new IllegalStateException("test data " + p.toAbsolutePath() + " not found: the tests read the real Taobao "
          + "samples from ../shared/data next to the checkout (or set -Dprofile.shared.data / PROFILE_SHARED_DATA)");
    }
    return p;
  }
}
