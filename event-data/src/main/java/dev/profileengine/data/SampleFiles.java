package dev.profileengine.data;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the repository's sample data ({@code samples/}, see its README.md) for tests, benchmarks
 * and training runs: {@code name.gz} or {@code name} in the directory of
 * {@code -Dprofile.data.samples=DIR} if given, else in {@code samples/} of the nearest parent of
 * the working directory. {@link DataLines} reads either form.
 */
public final class SampleFiles {
  public static final String USERS = "taobao-userbehavior-users.csv";
  public static final String SAMPLE = "taobao-userbehavior-sample.csv";

  private SampleFiles() {}

  /** The file, or an {@link IllegalStateException} saying where it was looked for. */
  public static Path find(String name) {
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
    throw new IllegalStateException("no samples/" + name + ".gz in " + Path.of("").toAbsolutePath()
        + " or a parent: run inside the repository, or pass -Dprofile.data.samples=DIR");
  }

  private static Path in(Path dir, String name) {
    for (Path p : new Path[] {dir.resolve(name + ".gz"), dir.resolve(name)}) {
      if (Files.isReadable(p)) return p.normalize();
    }
    return null;
  }
}
