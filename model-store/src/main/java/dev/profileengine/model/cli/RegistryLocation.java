package dev.profileengine.model.cli;

import dev.profileengine.model.registry.ModelRegistry;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The model registry the CLI works on when no {@code --registry} / {@code --model} is given: the
 * {@code profile.models.dir} system property, else the {@code PROFILE_MODELS_DIR} environment
 * variable. A CLI's inputs, read in this one place; the engine reads its registry from its own
 * configuration ({@code profile.model.registry-dir}), where the same variable is mapped.
 */
record RegistryLocation(Optional<Path> dir) {
  static final String ENV = "PROFILE_MODELS_DIR";
  static final String PROPERTY = "profile.models.dir";

  static RegistryLocation fromEnvironment() {
    return of(System.getProperty(PROPERTY), System.getenv());
  }

  static RegistryLocation of(String property, Map<String, String> env) {
    String dir = property != null && !property.isBlank() ? property : env.get(ENV);
    return new RegistryLocation(dir == null || dir.isBlank() ? Optional.empty() : Optional.of(Path.of(dir)));
  }

  /** Where {@code train} writes by default: this registry, else {@code ./models}. */
  Path trainingRegistry() {
    return dir.orElse(Path.of("models"));
  }

  /** The default model's directory: this registry's active version, else the packaged model. */
  Path defaultModel() {
    return ModelRegistry.resolveDefault(dir.map(ModelRegistry::new));
  }
}
