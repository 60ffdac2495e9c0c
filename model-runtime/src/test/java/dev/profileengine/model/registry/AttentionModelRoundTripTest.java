package dev.profileengine.model.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.XavierInitializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.profileengine.model.encoding.UserContext;
import dev.profileengine.model.inference.BehaviorPredictor;
import dev.profileengine.model.inference.ModelLoader;
import dev.profileengine.model.inference.NextBehaviorModel;
import dev.profileengine.model.inference.Prediction;
import dev.profileengine.model.nn.HyperParams;
import dev.profileengine.model.nn.NextBehaviorBlock;
import dev.profileengine.profile.BehaviorType;
import dev.profileengine.profile.RecentBehavior;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A version whose manifest names the attention encoder is rebuilt as that network by
 * {@link ModelLoader}: saved parameters loaded back predict exactly what the in-memory network did.
 * The committed GRU manifest has no encoder field and stays a GRU.
 */
class AttentionModelRoundTripTest {
  static {
    if (System.getProperty("ai.djl.offline") == null) System.setProperty("ai.djl.offline", "true");
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path root;

  @Test
  void theCommittedManifestHasNoEncoderAndMeansTheGru() throws Exception {
    ModelBundle b = ModelBundle.read(CommittedVersion.copy(root, "gru"));
    assertNull(b.hyperParams().encoder());
    assertFalse(b.hyperParams().attention());
  }

  @Test
  void savedAttentionParametersLoadBackThroughTheModelLoader() throws Exception {
    RandomAttentionModel att = RandomAttentionModel.create(root, "att-test", 11);
    ModelBundle bundle = att.bundle();
    HyperParams hp = bundle.hyperParams();
    assertTrue(hp.attention());
    assertEquals(2, hp.layers());

    List<UserContext> contexts = contexts(new Random(5));
    List<Prediction> before;
    try (Model model = att.model()) {
      try (BehaviorPredictor p = NextBehaviorModel.of(bundle, model).newPredictor()) {
        before = p.predict(contexts);
      }
      model.save(bundle.dir(), ModelBundle.PARAMS_PREFIX);
    }
    try (NextBehaviorModel loaded = ModelLoader.load(new ModelRegistry(root), "att-test")) {
      assertTrue(loaded.bundle().hyperParams().attention());
      List<Prediction> after = loaded.predict(contexts);
      assertEquals(before.size(), after.size());
      for (int i = 0; i < before.size(); i++) {
        assertEquals(before.get(i).predictedBehavior(), after.get(i).predictedBehavior());
        assertArrayEquals(before.get(i).probabilities(), after.get(i).probabilities(), 1e-6);
        assertEquals(before.get(i).nextCategories().stream().map(c -> c.id()).toList(),
            after.get(i).nextCategories().stream().map(c -> c.id()).toList());
        assertArrayEquals(before.get(i).nextCategories().stream().mapToDouble(c -> c.probability()).toArray(),
            after.get(i).nextCategories().stream().mapToDouble(c -> c.probability()).toArray(), 1e-6);
      }
    }
  }

  private static List<UserContext> contexts(Random r) {
    List<UserContext> out = new ArrayList<>();
    BehaviorType[] types = {BehaviorType.VIEW, BehaviorType.VIEW, BehaviorType.CART, BehaviorType.FAVORITE, BehaviorType.PURCHASE};
    for (int n : new int[] {1, 4, 50, 120}) {
      List<RecentBehavior> h = new ArrayList<>();
      long t = 1_511_600_000_000L;
      for (int i = 0; i < n; i++) {
        t += 1000L * r.nextInt(900);
        h.add(new RecentBehavior(types[r.nextInt(types.length)], String.valueOf(1000 + r.nextInt(40)), t));
      }
      out.add(UserContext.of(h));
    }
    return out;
  }
}
