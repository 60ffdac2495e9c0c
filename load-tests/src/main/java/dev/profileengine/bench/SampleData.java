package dev.profileengine.bench;

import dev.profileengine.data.SampleFiles;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the repository's replay data ({@code samples/}, see {@code samples/README.md}; the files
 * are gzip-compressed CSV, which every reader takes as it is). An explicit path wins; otherwise the
 * directory named by the system property {@code profile.data.samples}, otherwise {@code samples/}
 * of the nearest parent of the working directory, so that both {@code java -jar
 * load-tests/target/benchmarks.jar} from the repository root and runs from inside
 * {@code load-tests} find it. In a directory, {@code name.gz} and {@code name} are both taken.
 */
public final class SampleData {
  public static final String USERS = SampleFiles.USERS;
  public static final String SAMPLE = SampleFiles.SAMPLE;

  private SampleData() {}

  /** {@code explicit} if non-blank, else {@code name} in the samples directory; fails with a hint when absent. */
  public static Path locate(String explicit, String name) {
    return locate(explicit, null, name);
  }

  /**
   * As {@link #locate(String, String)}, trying {@code hint} (a default path from the build, which
   * may not exist where the build ran from) before searching.
   */
  public static Path locate(String explicit, String hint, String name) {
    if (explicit != null && !explicit.isBlank()) {
      Path p = Path.of(explicit);
      if (!Files.isReadable(p)) throw new IllegalStateException("data file " + p.toAbsolutePath() + " is not readable");
      return p;
    }
    if (hint != null && !hint.isBlank() && !hint.contains("${") && Files.isReadable(Path.of(hint))) return Path.of(hint).normalize();
    try {
      return SampleFiles.find(name);
    } catch (IllegalStateException e) {
      throw new IllegalStateException("cannot find samples/" + name + ".gz: pass its path (-Ddata=... for simulations, "
          + "-Dprofile.data.samples=DIR for benchmarks) or run inside the repository", e);
    }
  }
}
