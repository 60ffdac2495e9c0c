package dev.profileengine.model.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The CLI's default registry: the system property, else PROFILE_MODELS_DIR, else ./models for training. */
class RegistryLocationTest {
  @Test
  void thePropertyWinsOverTheEnvironmentAndBlankIsUnset() {
    Map<String, String> env = Map.of("PROFILE_MODELS_DIR", "/srv/models");
    assertEquals(Optional.of(Path.of("/srv/models")), RegistryLocation.of(null, env).dir());
    assertEquals(Optional.of(Path.of("/opt/m")), RegistryLocation.of("/opt/m", env).dir());
    assertEquals(Optional.of(Path.of("/srv/models")), RegistryLocation.of(" ", env).dir());
    assertEquals(Optional.empty(), RegistryLocation.of(null, Map.of("PROFILE_MODELS_DIR", "")).dir());
    assertEquals(Path.of("models"), RegistryLocation.of(null, Map.of()).trainingRegistry());
    assertEquals(Path.of("/srv/models"), RegistryLocation.of(null, env).trainingRegistry());
  }
}
