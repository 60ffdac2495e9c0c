package dev.profileengine.model.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.profileengine.model.ModelLoadException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * A version's held-out evaluation report, {@code <version>/evaluation.json}: exactly what
 * {@code model-store evaluate --json} prints, stored there by {@code evaluate --save}. Optional, not
 * part of the model: a version without one loads and serves as before, and the file is read as
 * data, so a corrupt one is a reason to show, never a failure of the caller.
 */
public final class EvaluationFile {
  public static final String FILE = "evaluation.json";
  /** A report is tens of kilobytes; anything much larger is not one. */
  static final int MAX_BYTES = 4 << 20;

  private EvaluationFile() {}

  /** What a look-up found. */
  public sealed interface Lookup permits Found, Missing, Unreadable {
    String version();
  }

  /** The report, a JSON object with at least a {@code model} entry. */
  public record Found(String version, JsonNode report) implements Lookup {}

  /** No such version, or a version without a report; {@code reason} says which. */
  public record Missing(String version, String reason) implements Lookup {}

  /** A report file that is there but is not a report (unreadable, not JSON, not the expected shape). */
  public record Unreadable(String version, String reason) implements Lookup {}

  /** Writes {@code json} as {@code dir/evaluation.json}, replacing it atomically (a reader never sees half a file). */
  public static Path write(Path dir, String json) {
    Path target = dir.resolve(FILE);
    try {
      Path tmp = dir.resolve(FILE + ".tmp");
      Files.writeString(tmp, json.endsWith("\n") ? json : json + "\n", StandardCharsets.UTF_8);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return target;
    } catch (IOException e) {
      throw new ModelLoadException("cannot write " + target + ": " + e.getMessage(), e);
    }
  }

  /**
   * The report of {@code version}: from {@code registry} when the version is there, else from the
   * model packaged in the jar ({@code profile-models/<version>/}).
   *
   * @throws IllegalArgumentException for a malformed version name (nothing is read)
   */
  public static Lookup read(Optional<ModelRegistry> registry, String version) {
    ModelRegistry.checkVersionName(version);
    Optional<Path> dir = registry.map(r -> r.versionDir(version)).filter(d -> Files.isRegularFile(d.resolve(ModelBundle.MANIFEST)));
    if (dir.isPresent()) {
      try {
        return parse(version, readCapped(Files.newInputStream(dir.get().resolve(FILE))));
      } catch (NoSuchFileException e) {
        return noReport(version);
      } catch (IOException e) {
        return new Unreadable(version, "cannot read " + FILE + ": " + why(e));
      }
    }
    ClassLoader cl = EvaluationFile.class.getClassLoader();
    String packaged = ModelRegistry.CLASSPATH_ROOT + "/" + version + "/";
    if (cl.getResource(packaged + ModelBundle.MANIFEST) == null)
      return new Missing(version, "no model version " + version + (registry.isPresent() ? " in the registry" : "") + " nor packaged in the jar");
    try (InputStream in = cl.getResourceAsStream(packaged + FILE)) {
      return in == null ? noReport(version) : parse(version, readCapped(in));
    } catch (IOException e) {
      return new Unreadable(version, "cannot read the packaged " + FILE + ": " + why(e));
    }
  }

  /** What went wrong, without the server's file paths (the reason goes to API callers). */
  private static String why(IOException e) {
    if (e instanceof FileSystemException f) return f.getReason() != null ? f.getReason() : f.getClass().getSimpleName();
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  private static Missing noReport(String version) {
    return new Missing(version, "model version " + version + " has no evaluation report (" + FILE
        + "; model-store evaluate --model <dir> --save writes one)");
  }

  private static byte[] readCapped(InputStream stream) throws IOException {
    try (InputStream in = stream) {
      byte[] bytes = in.readNBytes(MAX_BYTES + 1);
      if (bytes.length > MAX_BYTES) throw new IOException("larger than " + MAX_BYTES + " bytes");
      return bytes;
    }
  }

  /** The report in {@code bytes}, or why they are not one. */
  static Lookup parse(String version, byte[] bytes) {
    JsonNode root;
    try {
      root = ModelBundle.JSON.readTree(bytes);
    } catch (JsonProcessingException e) {
      return new Unreadable(version, FILE + " is not JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      return new Unreadable(version, "cannot read " + FILE + ": " + e.getMessage());
    }
    if (root == null || !root.isObject()) return new Unreadable(version, FILE + " is not a JSON object");
    if (!root.path("model").isObject()) return new Unreadable(version, FILE + " has no \"model\" entry (not an evaluate --json report)");
    return new Found(version, root);
  }
}
