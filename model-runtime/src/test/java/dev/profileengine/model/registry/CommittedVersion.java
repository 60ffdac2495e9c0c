package dev.profileengine.model.registry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Test versions made from the committed default model's manifest and vocabulary (no parameters: enough for the registry's reads). */
final class CommittedVersion {
  private CommittedVersion() {}

  /** A new version directory {@code name} under {@code registry}, with the committed default model's manifest and vocabulary. */
  static Path copy(Path registry, String name) throws Exception {
    Path models = Path.of(System.getProperty("profile.models.source", "models"));
    Path src = models.resolve(Files.readString(models.resolve("ACTIVE")).strip());
    Path dir = Files.createDirectories(registry.resolve(name));
    for (String f : List.of(ModelBundle.MANIFEST, ModelBundle.VOCABULARY)) Files.copy(src.resolve(f), dir.resolve(f));
    return dir;
  }
}
