package dev.profileengine.model.registry;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.XavierInitializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.profileengine.model.nn.NextBehaviorBlock;
import java.nio.file.Path;

/**
 * A version {@code name} under {@code registry} whose manifest names the attention encoder (2
 * layers, 4 heads, d_model 48), and an untrained network of it, randomly initialized: enough to
 * check what serving does with such a model. Close the model.
 */
record RandomAttentionModel(ModelBundle bundle, Model model) {
  static RandomAttentionModel create(Path registry, String name, long seed) throws Exception {
    Path dir = CommittedVersion.copy(registry, name);
    ObjectMapper json = new ObjectMapper();
    ObjectNode manifest = (ObjectNode) json.readTree(dir.resolve(ModelBundle.MANIFEST).toFile());
    manifest.put("version", name);
    ((ObjectNode) manifest.get("hyperParameters")).put("encoder", "attention").put("layers", 2).put("heads", 4).put("hidden", 48);
    json.writeValue(dir.resolve(ModelBundle.MANIFEST).toFile(), manifest);
    ModelBundle bundle = ModelBundle.read(dir);
    Model model = Model.newInstance(ModelBundle.PARAMS_PREFIX, Engine.getEngine("PyTorch").defaultDevice(), "PyTorch");
    Engine.getEngine("PyTorch").setRandomSeed((int) seed);
    NextBehaviorBlock block = new NextBehaviorBlock(bundle.netShape(), bundle.hyperParams());
    model.setBlock(block);
    block.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
    block.initialize(model.getNDManager(), DataType.FLOAT32, block.inputShapes(2));
    return new RandomAttentionModel(bundle, model);
  }
}
