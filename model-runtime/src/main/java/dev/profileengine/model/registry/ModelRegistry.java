package dev.profileengine.model.registry;

import dev.profileengine.model.ModelLoadException;
import dev.profileengine.model.ModelNotFoundException;
import dev.profileengine.model.recommend.Popularity;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Versioned models on disk: {@code <root>/<version>/} holds {@code manifest.json},
 * {@code vocabulary.json}, the parameters and optionally {@code popularity.json}; {@code <root>/ACTIVE} names the default version.
 *
 * <p>Where the default model comes from ({@link #resolveDefault(Optional)}): the active version of
 * the registry the caller names (the engine's {@code profile.model.registry-dir}, the CLI's
 * {@code PROFILE_MODELS_DIR}) when it has one; otherwise the copy packaged in the jar under
 * {@code profile-models/}, extracted once to a temporary directory. Nothing here reads the
 * environment: the caller decides which registry, if any.
 */
public final class ModelRegistry {
  public static final String ACTIVE = "ACTIVE";
  public static final String CLASSPATH_ROOT = "profile-models";
  private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

  private final Path root;

  public ModelRegistry(Path root) {
    this.root = root;
  }

  public Path root() {
    return root;
  }

  /** The registry at {@code dir} when that directory exists. */
  public static Optional<ModelRegistry> at(Path dir) {
    return Files.isDirectory(dir) ? Optional.of(new ModelRegistry(dir)) : Optional.empty();
  }

  public static void checkVersionName(String version) {
    if (version == null || !VERSION.matcher(version).matches())
      throw new IllegalArgumentException("bad model version name '" + version + "' (letters, digits, . _ -)");
  }

  public Path versionDir(String version) {
    checkVersionName(version);
    return root.resolve(version);
  }

  public List<String> versions() {
    if (!Files.isDirectory(root)) return List.of();
    try (Stream<Path> s = Files.list(root)) {
      return s.filter(p -> Files.isRegularFile(p.resolve(ModelBundle.MANIFEST)))
          .map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new ModelLoadException("cannot list " + root, e);
    }
  }

  public Optional<String> active() {
    Path p = root.resolve(ACTIVE);
    if (!Files.isRegularFile(p)) return Optional.empty();
    try {
      String v = Files.readString(p, StandardCharsets.UTF_8).strip();
      return v.isEmpty() ? Optional.empty() : Optional.of(v);
    } catch (IOException e) {
      throw new ModelLoadException("cannot read " + p, e);
    }
  }

  public void activate(String version) {
    Path dir = versionDir(version);
    if (!Files.isRegularFile(dir.resolve(ModelBundle.MANIFEST))) throw new ModelNotFoundException("no model version " + version + " in " + root);
    try {
      Path tmp = root.resolve(ACTIVE + ".tmp");
      Files.writeString(tmp, version + "\n", StandardCharsets.UTF_8);
      Files.move(tmp, root.resolve(ACTIVE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new ModelLoadException("cannot write " + root.resolve(ACTIVE), e);
    }
  }

  /** The directory of {@code version}, or of the active version when null. */
  public Path resolve(String version) {
    String v = version != null ? version : active().orElseThrow(() ->
        new ModelNotFoundException("no " + ACTIVE + " pointer in model registry " + root));
    Path dir = versionDir(v);
    if (!Files.isRegularFile(dir.resolve(ModelBundle.MANIFEST))) throw new ModelNotFoundException("no model version " + v + " in " + root);
    return dir;
  }

  /**
   * The global category popularity of {@code version} (the active one when null): its
   * {@code popularity.json}, or {@link Popularity#empty()} when the version has none.
   */
  public Popularity popularity(String version) {
    return Popularity.readOrEmpty(resolve(version));
  }

  /**
   * The popularity of the default model ({@link #resolveDefault(Optional)}), empty when it has none.
   * Pair it with {@code inference.ModelLoader.loadServingModel}; for a loaded model use {@code model.bundle().popularity()}.
   */
  public static Popularity defaultPopularity(Optional<ModelRegistry> registry) {
    return Popularity.readOrEmpty(resolveDefault(registry));
  }

  /** The packaged model's popularity. */
  public static Popularity defaultPopularity() {
    return defaultPopularity(Optional.empty());
  }

  /**
   * Directory of the default model: the active version of {@code registry} when it has an
   * {@link #ACTIVE} pointer, else the packaged one. A pointer to a missing version fails
   * ({@link ModelNotFoundException}) rather than silently serving another model.
   */
  public static Path resolveDefault(Optional<ModelRegistry> registry) {
    Optional<ModelRegistry> withActive = registry.filter(r -> r.active().isPresent());
    return withActive.isPresent() ? withActive.get().resolve(null) : extractPackaged();
  }

  /** Directory of the packaged model. */
  public static Path resolveDefault() {
    return resolveDefault(Optional.empty());
  }

  private static volatile Path extracted;

  /** Extracts the jar's {@code profile-models/<active>/} to a temporary directory (once per JVM). */
  public static synchronized Path extractPackaged() {
    if (extracted != null) return extracted;
    ClassLoader cl = ModelRegistry.class.getClassLoader();
    String version;
    try (InputStream in = cl.getResourceAsStream(CLASSPATH_ROOT + "/" + ACTIVE)) {
      if (in == null) throw new ModelNotFoundException("no packaged model (classpath " + CLASSPATH_ROOT + "/" + ACTIVE
          + ") and no model registry with an active version");
      version = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new ModelLoadException("cannot read packaged model pointer", e);
    }
    checkVersionName(version);
    try {
      Path dir = Files.createTempDirectory("profile-model-").resolve(version);
      Files.createDirectories(dir);
      for (String f : List.of(ModelBundle.MANIFEST, ModelBundle.VOCABULARY, ModelBundle.PARAMS_FILE)) {
        try (InputStream in = cl.getResourceAsStream(CLASSPATH_ROOT + "/" + version + "/" + f)) {
          if (in == null) throw new ModelLoadException("packaged model " + version + " lacks " + f);
          Files.copy(in, dir.resolve(f));
        }
      }
      try (InputStream in = cl.getResourceAsStream(CLASSPATH_ROOT + "/" + version + "/" + Popularity.FILE)) {
        if (in != null) Files.copy(in, dir.resolve(Popularity.FILE)); // optional
      }
      dir.getParent().toFile().deleteOnExit();
      extracted = dir;
      return dir;
    } catch (IOException e) {
      throw new ModelLoadException("cannot extract packaged model " + version, e);
    }
  }
}
