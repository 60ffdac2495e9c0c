package dev.profileengine.model.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.XavierInitializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.profileengine.model.encoding.UserContext;
import dev.profileengine.model.inference.BehaviorPredictor;
import dev.profileengine.model.inference.NextBehaviorModel;
import dev.profileengine.model.nn.NextBehaviorBlock;
import dev.profileengine.profile.BehaviorType;
import dev.profileengine.profile.RecentBehavior;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Serving a model leaves nothing behind per batch: every array a forward pass makes belongs to
 * that batch's NDManager and is freed with it. An op on a parameter itself puts its result in the
 * model's own manager instead, one native array per batch for as long as the model serves (the
 * attention encoder did so with its position table). Counted through DJL's manager tree.
 */
class ServingMemoryTest {
  static {
    if (System.getProperty("ai.djl.offline") == null) System.setProperty("ai.djl.offline", "true");
  }

  @TempDir Path root;

  @Test
  void theGruLeavesNothingInTheModelPerBatch() throws Exception {
    ModelBundle bundle = ModelBundle.read(Path.of(System.getProperty("profile.models.source", "models"), "nb-gru-v2"));
    try (Model model = Model.newInstance(ModelBundle.PARAMS_PREFIX, Engine.getEngine("PyTorch").defaultDevice(), "PyTorch")) {
      model.setBlock(new NextBehaviorBlock(bundle.netShape(), bundle.hyperParams()));
      model.load(bundle.dir(), ModelBundle.PARAMS_PREFIX);
      assertNothingLeftPerBatch(bundle, model);
    }
  }

  @Test
  void theAttentionEncoderLeavesNothingInTheModelPerBatch() throws Exception {
    RandomAttentionModel att = RandomAttentionModel.create(root, "att-memory", 3);
    try (Model model = att.model()) {
      assertNothingLeftPerBatch(att.bundle(), model);
    }
  }

  private static void assertNothingLeftPerBatch(ModelBundle bundle, Model model) throws Exception {
    List<UserContext> batch = contexts(new Random(3));
    try (BehaviorPredictor p = NextBehaviorModel.of(bundle, model).newPredictor()) {
      p.predict(batch);
      int before = resources(model.getNDManager());
      for (int i = 0; i < 50; i++) p.predict(batch);
      assertEquals(before, resources(model.getNDManager()), "resources held by the model's NDManager tree after 50 more batches");
    }
  }

  /** Resources attached to {@code m} and, recursively, to its sub-managers. */
  private static int resources(NDManager m) throws ReflectiveOperationException {
    Field f = BaseNDManager.class.getDeclaredField("resources");
    f.setAccessible(true);
    int n = 0;
    for (Object r : ((Map<?, ?>) f.get(m)).values()) n += r instanceof NDManager sub ? 1 + resources(sub) : 1;
    return n;
  }

  private static List<UserContext> contexts(Random r) {
    List<UserContext> out = new ArrayList<>();
    for (int n : new int[] {1, 3, 17}) { // a cut batch: the cut's arrays must be the batch's too
      List<RecentBehavior> h = new ArrayList<>();
      long t = 1_511_600_000_000L;
      for (int i = 0; i < n; i++) h.add(new RecentBehavior(BehaviorType.VIEW, String.valueOf(1000 + r.nextInt(40)), t += 60_000));
      out.add(UserContext.of(h));
    }
    return out;
  }
}
