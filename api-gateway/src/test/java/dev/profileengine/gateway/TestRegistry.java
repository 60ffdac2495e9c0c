package dev.profileengine.gateway;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A model registry for a test node: the committed default model copied under other version names. */
final class TestRegistry {
  static final Path COMMITTED = Path.of("../model-store/models/nb-gru-v2");
  static final String REPORT = "evaluation.json";

  private TestRegistry() {}

  /**
   * {@code root/<version>/}: the committed model's files with the version name in its manifest,
   * its evaluation report only when {@code withReport}.
   */
  static Path version(Path root, String version, boolean withReport) throws IOException {
    Path target = Files.createDirectories(root.resolve(version));
    try (var files = Files.list(COMMITTED)) {
      for (Path f : files.toList()) {
        String name = f.getFileName().toString();
        if (name.equals("manifest.json")) {
          Files.writeString(target.resolve(name), Files.readString(f).replace("\"nb-gru-v2\"", "\"" + version + "\""));
        } else if (name.equals(REPORT)) {
          if (withReport) Files.writeString(target.resolve(name), Files.readString(f).replace("\"nb-gru-v2\"", "\"" + version + "\""));
        } else {
          Files.copy(f, target.resolve(name));
        }
      }
    }
    return target;
  }

  static void activate(Path root, String version) throws IOException {
    Files.writeString(root.resolve("ACTIVE"), version);
  }
}
