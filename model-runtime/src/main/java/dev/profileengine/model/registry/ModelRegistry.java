package dev.profileengine.model.registry;

import dev.profileengine.model.ModelLoadException;
import dev.profileengine.model.ModelNotFoundException;
import dev.profileengine.model.ModelStoreException;
import dev.profileengine.model.inference.MarkovFallbackPredictor;
import dev.profileengine.model.inference.NextBehaviorModel;
import dev.profileengine.model.inference.ServingModel;
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
 * <p>Where the default model comes from ({@link #resolveDefault()}): the registry named by the
 * {@code PROFILE_MODELS_DIR} environment variable (or the {@code profile.models.dir} system
 * property) when set; otherwise the copy packaged in the model-store jar under
 * {@code profile-models/}, extracted once to a temporary directory.
 */
public final class ModelRegistry {
  public static final String ENV = "PROFILE_MODELS_DIR";
  public static final String PROPERTY = "profile.models.dir";
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

  /** The registry configured by PROFILE_MODELS_DIR / profile.models.dir, if any. */
  public static Optional<ModelRegistry> configured() {
    String dir = System.getProperty(PROPERTY);
    if (dir == null || dir.isBlank()) dir = System.getenv(ENV);
    return dir == null || dir.isBlank() ? Optional.empty() : Optional.of(new ModelRegistry(Path.of(dir)));
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

  /** Loads a version of this registry (the active one when {@code version} is null). */
  public NextBehaviorModel load(String version) {
    return NextBehaviorModel.load(resolve(version));
  }

  /**
   * The global category popularity of {@code version} (the active one when null): its
   * {@code popularity.json}, or {@link Popularity#empty()} when the version has none.
   */
  public Popularity popularity(String version) {
    return Popularity.readOrEmpty(resolve(version));
  }

  /**
   * The popularity of the default model ({@link #resolveDefault()}), empty when it has none. Pair
   * it with {@link #loadDefault()}; for a loaded model use {@code model.bundle().popularity()}.
   */
  public static Popularity defaultPopularity() {
    return Popularity.readOrEmpty(resolveDefault());
  }

  /** Loads the active version of this registry. */
  public NextBehaviorModel loadActive() {
    return load(null);
  }

  /**
   * Loads the default model: the active version of {@code PROFILE_MODELS_DIR} (or the
   * {@code profile.models.dir} property) when set, else the one packaged in the jar.
   */
  public static NextBehaviorModel loadDefault() {
    return NextBehaviorModel.load(resolveDefault());
  }

  /**
   * The default model for serving, never failing: {@link #loadDefault()}, or when that fails a
   * {@link MarkovFallbackPredictor} built from the default version's manifest if readable, else
   * from built-in statistics. The reason is printed to stderr.
   */
  public static ServingModel loadServingModel() {
    Path dir = null;
    try {
      dir = resolveDefault();
      return NextBehaviorModel.load(dir);
    } catch (ModelStoreException | UnsatisfiedLinkError | IllegalStateException e) {
      System.err.println("model-store: no model could be loaded (" + e.getMessage() + "); serving the Markov fallback");
      if (dir != null) {
        try {
          ModelBundle b = ModelBundle.read(dir);
          return new MarkovFallbackPredictor(b.encoder().stats(), List.of(), MarkovFallbackPredictor.VERSION);
        } catch (ModelStoreException ignored) {
          // fall through to the built-in statistics
        }
      }
      return MarkovFallbackPredictor.generic();
    }
  }

  /** Directory of the default model: configured registry's active version, else the packaged one. */
  public static Path resolveDefault() {
    Optional<ModelRegistry> configured = configured();
    if (configured.isPresent()) return configured.get().resolve(null);
    return extractPackaged();
  }

  private static volatile Path extracted;

  /** Extracts the jar's {@code profile-models/<active>/} to a temporary directory (once per JVM). */
  public static synchronized Path extractPackaged() {
    if (extracted != null) return extracted;
    ClassLoader cl = ModelRegistry.class.getClassLoader();
    String version;
    try (InputStream in = cl.getResourceAsStream(CLASSPATH_ROOT + "/" + ACTIVE)) {
      if (in == null) throw new ModelNotFoundException("no packaged model (classpath " + CLASSPATH_ROOT + "/" + ACTIVE
          + ") and " + ENV + " is not set");
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
