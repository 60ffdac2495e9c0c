package dev.profileengine.model.inference;

import dev.profileengine.model.ModelStoreException;
import dev.profileengine.model.registry.ModelBundle;
import dev.profileengine.model.registry.ModelRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Loads models out of a {@link ModelRegistry}: a version, the active one, or the default for serving. */
public final class ModelLoader {
  private ModelLoader() {}

  /** Loads a version of {@code registry} (the active one when {@code version} is null). */
  public static NextBehaviorModel load(ModelRegistry registry, String version) {
    return NextBehaviorModel.load(registry.resolve(version));
  }

  /** Loads the active version of {@code registry}. */
  public static NextBehaviorModel loadActive(ModelRegistry registry) {
    return load(registry, null);
  }

  /** Loads the model packaged in the jar (tests, benchmarks: no registry). */
  public static NextBehaviorModel loadDefault() {
    return NextBehaviorModel.load(ModelRegistry.resolveDefault());
  }

  /**
   * The default model for serving, never failing: the default of {@code registry} (see
   * {@link ModelRegistry#resolveDefault(Optional)}), or when that fails a {@link MarkovFallbackPredictor} built
   * from the default version's manifest if readable, else from built-in statistics. The reason is
   * printed to stderr.
   */
  public static ServingModel loadServingModel(Optional<ModelRegistry> registry) {
    Path dir = null;
    try {
      dir = ModelRegistry.resolveDefault(registry);
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

  /** The packaged model for serving, never failing (see {@link #loadServingModel(Optional)}). */
  public static ServingModel loadServingModel() {
    return loadServingModel(Optional.empty());
  }
}
