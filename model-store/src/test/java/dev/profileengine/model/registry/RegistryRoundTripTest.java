package dev.profileengine.model.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.profileengine.data.DataFormat;
import dev.profileengine.model.ModelNotFoundException;
import dev.profileengine.model.TestData;
import dev.profileengine.model.dataset.ChronologicalSplit;
import dev.profileengine.model.encoding.EncodingSpec;
import dev.profileengine.model.inference.BehaviorPredictor;
import dev.profileengine.model.inference.ModelLoader;
import dev.profileengine.model.inference.NextBehaviorModel;
import dev.profileengine.model.inference.Prediction;
import dev.profileengine.model.nn.HyperParams;
import dev.profileengine.model.recommend.Popularity;
import dev.profileengine.model.train.TrainOptions;
import dev.profileengine.model.train.TrainPipeline;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Train a tiny model, save it, load it back: the reloaded version predicts exactly what the trained one did. */
class RegistryRoundTripTest {
  @TempDir Path dir;

  @Test
  void saveLoadPredictsTheSame() throws Exception {
    Path data = TestData.firstUsers(40, dir);
    Path root = dir.resolve("models");
    HyperParams hp = HyperParams.defaults().withMaxEpochs(1).withSizes(8, 8);
    TrainOptions o = new TrainOptions(data, DataFormat.TAOBAO, root, "tiny-1", true, hp, EncodingSpec.DEFAULT,
        ChronologicalSplit.DEFAULT, 1, 20_000);
    TrainPipeline.Outcome out = TrainPipeline.run(o, new PrintStream(new ByteArrayOutputStream()));

    ModelRegistry registry = new ModelRegistry(root);
    assertEquals(List.of("tiny-1"), registry.versions());
    assertEquals("tiny-1", registry.active().orElseThrow());
    Manifest m = ModelBundle.read(registry.resolve("tiny-1")).manifest();
    assertEquals("first-40-users.csv", m.trainingData().file());
    assertEquals(64, m.trainingData().sha256().length());
    assertNotNull(m.metrics().get("model"));
    assertNotNull(m.metrics().get("userMarkov"));
    Popularity pop = registry.popularity("tiny-1");
    assertEquals("first-40-users.csv", pop.source());
    assertEquals(m.trainingData().sha256(), pop.sourceSha256());
    assertFalse(pop.isEmpty());
    assertEquals(pop, registry.popularity(null), "the active version's");
    for (String f : List.of(ModelBundle.MANIFEST, ModelBundle.VOCABULARY, ModelBundle.PARAMS_FILE, Popularity.FILE))
      assertTrue(Files.isRegularFile(out.versionDir().resolve(f)), f);

    try (NextBehaviorModel loaded = ModelLoader.loadActive(registry); BehaviorPredictor p = loaded.newPredictor()) {
      List<Prediction> again = p.predict(out.probeContexts());
      assertEquals(out.probePredictions().size(), again.size());
      assertTrue(again.size() > 0);
      for (int i = 0; i < again.size(); i++) {
        Prediction a = out.probePredictions().get(i);
        Prediction b = again.get(i);
        assertEquals("tiny-1", b.modelVersion());
        assertEquals(a.predictedBehavior(), b.predictedBehavior());
        for (String k : a.nextBehavior().keySet()) assertEquals(a.nextBehavior().get(k), b.nextBehavior().get(k), 1e-6, k);
        assertEquals(a.nextCategories().stream().map(c -> c.id()).toList(), b.nextCategories().stream().map(c -> c.id()).toList());
      }
    }
    assertThrows(ModelNotFoundException.class, () -> registry.resolve("no-such-version"));
    assertThrows(IllegalArgumentException.class, () -> TrainPipeline.run(o, new PrintStream(new ByteArrayOutputStream())),
        "versions are immutable");
  }
}
