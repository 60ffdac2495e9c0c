package dev.profileengine.model.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.profileengine.data.DataFormat;
import dev.profileengine.model.TestData;
import dev.profileengine.model.dataset.BehaviorDataset;
import dev.profileengine.model.dataset.ChronologicalSplit;
import dev.profileengine.model.eval.Baseline;
import dev.profileengine.model.eval.EvaluationReport;
import dev.profileengine.model.eval.Evaluator;
import dev.profileengine.model.encoding.UserContext;
import dev.profileengine.model.inference.ModelLoader;
import dev.profileengine.model.inference.NextBehaviorModel;
import dev.profileengine.model.inference.Prediction;
import dev.profileengine.model.recommend.Popularity;
import dev.profileengine.model.train.ModelScorer;
import dev.profileengine.model.train.TrainPipeline;
import dev.profileengine.profile.BehaviorType;
import dev.profileengine.profile.RecentBehavior;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The committed default model loads from the classpath with no set-up and, on the held-out split
 * of taobao-userbehavior-users.csv, beats every baseline on macro-F1 and on log-loss.
 */
class DefaultModelTest {

  @Test
  void committedDefaultLoadsAndBeatsTheBaselines() throws Exception {
    long t0 = System.nanoTime();
    try (NextBehaviorModel model = ModelLoader.loadDefault(); ModelScorer scorer = new ModelScorer(model)) {
      Manifest m = model.bundle().manifest();
      assertEquals(m.version(), model.version());
      assertEquals("taobao-userbehavior-users.csv", m.trainingData().file());
      assertEquals(BehaviorDataset.sha256(TestData.users()), m.trainingData().sha256(), "trained on this very file");
      assertTrue(Files.size(model.bundle().dir().resolve(ModelBundle.PARAMS_FILE)) < 2_000_000, "a small default model");

      BehaviorDataset data = BehaviorDataset.load(TestData.users(), DataFormat.TAOBAO, b -> {});
      EvaluationReport r = Evaluator.evaluate(data, ChronologicalSplit.DEFAULT, scorer);
      System.out.print(r.toTable());
      System.out.printf("evaluation took %.1fs%n", (System.nanoTime() - t0) / 1e9);
      assertEquals(14_738, r.predictedEvents());
      assertEquals(0.404, r.metrics("userMarkov").logLoss(), 0.0005, "baselines reproduce samples/README.md");
      assertEquals(0.365, r.metrics("repeatLast").macroF1(), 0.0005);
      MetricRow model0 = r.metrics("model");
      double bestF1 = r.bestBaseline(MetricRow::macroF1, false);
      double bestLogLoss = r.bestBaseline(MetricRow::logLoss, true);
      assertTrue(model0.macroF1() > bestF1, "macro-F1 " + model0.macroF1() + " vs best baseline " + bestF1);
      assertTrue(model0.logLoss() < bestLogLoss, "log-loss " + model0.logLoss() + " vs best baseline " + bestLogLoss);
      // the manifest's recorded metrics are what this evaluation finds
      assertEquals(m.metrics().get("model").logLoss(), model0.logLoss(), 1e-6);
      assertEquals(m.metrics().get("model").macroF1(), model0.macroF1(), 1e-9);
      // recommender rows: each source alone reproduces the row it must equal
      assertEquals(model0.categoryHitRateAt10(), r.metrics("recModel").categoryHitRateAt10(), 1e-12);
      assertEquals(model0.categoryRecallAt10(), r.metrics("recModel").categoryRecallAt10(), 1e-12);
      assertEquals(r.metrics("globalPopular").categoryHitRateAt10(), r.metrics("recPopular").categoryHitRateAt10(), 1e-12);
      assertEquals(r.metrics("globalPopular").categoryRecallAt10(), r.metrics("recPopular").categoryRecallAt10(), 1e-12);
      assertTrue(r.metrics("recInterest").categoryHitRateAt10() > r.metrics("recPopular").categoryHitRateAt10());
      assertTrue(r.metrics("recBlend").categoryHitRateAt10() > model0.categoryHitRateAt10()
          && r.metrics("recBlend").categoryRecallAt10() > model0.categoryRecallAt10(),
          "the default blend beats the model alone on both: " + r.metrics("recBlend") + " vs " + model0);
    }
  }

  @Test
  void committedPopularityIsTheHistoryPartOfTheTrainingFileAndIsPackaged() {
    Path dir = ModelRegistry.resolveDefault();
    Popularity packaged = ModelRegistry.defaultPopularity();
    assertEquals(200, packaged.categories().size());
    assertEquals(BehaviorDataset.sha256(TestData.users()), packaged.sourceSha256());
    BehaviorDataset data = BehaviorDataset.load(TestData.users(), DataFormat.TAOBAO, b -> {});
    Manifest m = ModelBundle.read(dir).manifest();
    Popularity refit = TrainPipeline.popularity(data, TrainPipeline.parseSplit(m.split()), Popularity.DEFAULT_TOP);
    assertEquals(refit, packaged);
    assertEquals(57_584, packaged.events());
    assertEquals(Baseline.GlobalPopular.topCategories(Evaluator.historyParts(data, ChronologicalSplit.DEFAULT), 10), packaged.top(10));
    assertEquals(packaged, ModelBundle.read(dir).popularity());
  }

  @Test
  void servesUsersWithNoHistoryAndUnknownCategories() {
    try (NextBehaviorModel model = ModelLoader.loadDefault()) {
      List<Prediction> p = model.predict(List.of(UserContext.EMPTY,
          UserContext.of(List.of(new RecentBehavior(BehaviorType.SEARCH, null, 1_000L), new RecentBehavior(BehaviorType.CLICK, "no-such-category", 2_000L)))));
      for (Prediction x : p) {
        assertEquals(1.0, x.nextBehavior().values().stream().mapToDouble(Double::doubleValue).sum(), 1e-9);
        assertEquals(List.of("view", "click", "favorite", "cart", "purchase", "search"), List.copyOf(x.nextBehavior().keySet()));
        assertTrue(x.nextBehavior().get("search") > 0 && x.nextBehavior().get("search") < 1e-5, "never seen in training: tiny");
        assertEquals(10, x.nextCategories().size());
        assertEquals(model.version(), x.modelVersion());
      }
    }
  }

  @Test
  void aRegistryWithAnActiveVersionWinsOverTheClasspath(@org.junit.jupiter.api.io.TempDir Path empty) {
    Path source = Path.of(System.getProperty("profile.models.source", "models"));
    ModelRegistry registry = ModelRegistry.at(source).orElseThrow();
    assertEquals(source, registry.root());
    assertTrue(registry.versions().contains(registry.active().orElseThrow()));
    assertEquals(registry.resolve(null), ModelRegistry.resolveDefault(Optional.of(registry)));
    // a registry without an ACTIVE pointer, or no registry directory: the packaged model
    assertEquals(ModelRegistry.resolveDefault(), ModelRegistry.resolveDefault(ModelRegistry.at(empty)));
    assertEquals(Optional.empty(), ModelRegistry.at(empty.resolve("missing")));
  }
}
