package dev.profileengine.model.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.profileengine.model.ModelLoadException;
import dev.profileengine.model.TestData;
import dev.profileengine.model.recommend.Popularity;
import dev.profileengine.profile.BehaviorType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** popularity.json is optional: the registry exposes it when a version has it, empty otherwise. */
class RegistryPopularityTest {
  @TempDir Path root;

  private Path version(String name) throws Exception {
    return CommittedVersion.copy(root, name);
  }

  @Test
  void exposesPopularityWhenPresentAndEmptyWhenAbsent() throws Exception {
    Path with = version("with");
    version("without");
    Popularity p = Popularity.fit(List.of(List.of(TestData.b(BehaviorType.VIEW, "7", 1), TestData.b(BehaviorType.CART, "7", 2),
        TestData.b(BehaviorType.VIEW, "9", 3))), 200, "x.csv", "beef", "history");
    p.write(with.resolve(Popularity.FILE));
    ModelRegistry registry = new ModelRegistry(root);
    registry.activate("with");

    assertEquals(p, registry.popularity("with"));
    assertEquals(p, registry.popularity(null));
    assertEquals(List.of("7", "9"), registry.popularity("with").top(10));
    assertEquals(2 / 3.0, registry.popularity("with").shares().get("7"), 1e-15);
    assertEquals(p, ModelBundle.read(with).popularity());

    assertSame(Popularity.empty(), registry.popularity("without"));
    assertTrue(ModelBundle.read(root.resolve("without")).popularity().isEmpty());
    registry.activate("without");
    assertTrue(registry.popularity(null).isEmpty());
  }

  @Test
  void aCorruptFileFailsLoudly() throws Exception {
    Path dir = version("broken");
    Files.writeString(dir.resolve(Popularity.FILE), "[1, 2");
    assertThrows(ModelLoadException.class, () -> new ModelRegistry(root).popularity("broken"));
  }
}
