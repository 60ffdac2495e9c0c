package dev.profileengine.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the replay data of {@code shared/data} (see {@code shared/data/SOURCES.md}). An explicit
 * path wins; otherwise the directory named by the system property {@code profile.shared.data}
 * (set by the build), otherwise {@code shared/data} beside a parent of the working directory, so
 * that both {@code java -jar load-tests/target/benchmarks.jar} from the repository root and runs
 * from inside {@code load-tests} find it.
 */
public final class SharedData {
  public static final String USERS = "taobao-userbehavior-users.csv";
  public static final String SAMPLE = "taobao-userbehavior-sample.csv";

  private SharedData() {}

  /** {@code explicit} if non-blank, else {@code name} in the shared data directory; fails with a hint when absent. */
  public static Path locate(String explicit, String name) {
    return locate(explicit, null, name);
  }

  /**
   * As {@link #locate(String, String)}, trying {@code hint} (a default path from the build, which
   * may not exist where the repository is checked out) before searching.
   */
  public static Path locate(String explicit, String hint, String name) {
    if (explicit != null && !explicit.isBlank()) {
      Path p = Path.of(explicit);
      if (!Files.isReadable(p)) throw new IllegalStateException("data file " + p.toAbsolutePath() + " is not readable");
      return p;
    }
    if (hint != null && !hint.isBlank() && !hint.contains("${") && Files.isReadable(Path.of(hint))) return Path.of(hint).normalize();
    String dir = System.getProperty("profile.shared.data");
    if (dir != null && Files.isReadable(Path.of(dir, name))) return Path.of(dir, name);
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      for (Path candidate : new Path[] {d.resolve("shared/data").resolve(name), d.resolveSibling("shared").resolve("data").resolve(name)}) {
        if (Files.isReadable(candidate)) return candidate.normalize();
      }
    }
    throw new IllegalStateException("cannot find " + name + ": pass its path (-Ddata=... for simulations, "
        + "-Dprofile.shared.data=DIR for benchmarks) or run from the repository root");
  }
}
