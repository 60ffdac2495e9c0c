package dev.profileengine.gateway;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the repository's real behavior data ({@code samples/}, see its README.md) for tests:
 * {@code name} or {@code name.gz} in {@code -Dprofile.data.samples=DIR} if given, else in
 * {@code samples/} of the nearest parent of the working directory. The readers (TaobaoCsv) take
 * either form.
 */
final class SampleData {
  private SampleData() {}

  static Path file(String name) {
    String dir = System.getProperty("profile.data.samples");
    if (dir != null && !dir.isBlank()) {
      Path found = in(Path.of(dir), name);
      if (found == null) throw new IllegalStateException("-Dprofile.data.samples=" + dir + " has no " + name + "(.gz)");
      return found;
    }
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      Path found = in(d.resolve("samples"), name);
      if (found != null) return found;
    }
    throw new IllegalStateException("test data samples/" + name + ".gz not found in " + Path.of("").toAbsolutePath()
        + " or a parent: run inside the repository (or set -Dprofile.data.samples=DIR)");
  }

  private static Path in(Path dir, String name) {
    for (Path p : new Path[] {dir.resolve(name + ".gz"), dir.resolve(name)}) {
      if (Files.isReadable(p)) return p.normalize();
    }
    return null;
  }
}
