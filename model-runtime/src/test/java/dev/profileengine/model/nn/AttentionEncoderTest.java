package dev.profileengine.model.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The self-attention encoder inside {@link NextBehaviorBlock}: output shapes and padding masking. */
class AttentionEncoderTest {
  static {
    if (System.getProperty("ai.djl.offline") == null) System.setProperty("ai.djl.offline", "true");
  }

  private static final int T = 50;
  private static final int CATS = 20;
  private static final int FEATURES = 6;
  private static final NetShape SHAPE = new NetShape(T, 7, CATS, 8, FEATURES, new boolean[] {true, false, true, true, true, false});

  private static HyperParams attention(int width, int layers, int heads) {
    return HyperParams.defaults().withSizes(width, 32).withAttention(layers, heads);
  }

  /** A batch of sequences with {@code lengths[i]} real behaviors, left padded; tokens random. */
  private static int[][][] tokens(Random r, int... lengths) {
    int[][][] out = new int[3][lengths.length][T];
    for (int i = 0; i < lengths.length; i++) {
      for (int t = T - lengths[i]; t < T; t++) {
        out[0][i][t] = 1 + r.nextInt(6);
        out[1][i][t] = 3 + r.nextInt(CATS - 3);
        out[2][i][t] = 1 + r.nextInt(7);
      }
    }
    return out;
  }

  private static NDList inputs(NDManager m, int[][][] tok, float[][] features) {
    return new NDList(m.create(tok[0]), m.create(tok[1]), m.create(tok[2]), m.create(features));
  }

  private static float[][] features(Random r, int batch) {
    float[][] f = new float[batch][FEATURES];
    for (float[] row : f) for (int j = 0; j < FEATURES; j++) row[j] = (float) r.nextGaussian();
    return f;
  }

  private static NDList forward(NextBehaviorBlock block, NDManager m, NDList x) {
    return block.forward(new ParameterStore(m, false), x, false);
  }

  private static NextBehaviorBlock initialized(Model model, HyperParams hp) {
    Engine.getEngine("PyTorch").setRandomSeed(7);
    NextBehaviorBlock block = new NextBehaviorBlock(SHAPE, hp);
    model.setBlock(block);
    block.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
    block.initialize(model.getNDManager(), DataType.FLOAT32, block.inputShapes(4));
    return block;
  }

  @Test
  void outputsOneRowPerSequenceForEachSize() {
    for (int[] size : new int[][] {{32, 1, 2}, {48, 2, 4}}) {
      try (Model model = Model.newInstance("t", "PyTorch")) {
        NextBehaviorBlock block = initialized(model, attention(size[0], size[1], size[2]));
        NDManager m = model.getNDManager();
        Random r = new Random(1);
        NDList out = forward(block, m, inputs(m, tokens(r, 1, 7, 50), features(r, 3)));
        assertEquals(new Shape(3, 6), out.get(0).getShape());
        assertEquals(new Shape(3, CATS), out.get(1).getShape());
        // Types that never occur in training are masked out of the type softmax.
        float[] p = out.get(0).softmax(1).toFloatArray();
        assertTrue(p[1] < 1e-6 && p[5] < 1e-6);
        for (float v : out.get(1).toFloatArray()) assertFalse(Float.isNaN(v));
      }
    }
  }

  @Test
  void paddedPositionsDoNotChangeTheOutput() {
    try (Model model = Model.newInstance("t", "PyTorch")) {
      NextBehaviorBlock block = initialized(model, attention(32, 2, 2));
      NDManager m = model.getNDManager();
      Random r = new Random(2);
      int[][][] tok = tokens(r, 3, 20, 49);
      float[][] f = features(r, 3);
      float[] typesBefore = forward(block, m, inputs(m, tok, f)).get(0).toFloatArray();
      float[] catsBefore = forward(block, m, inputs(m, tok, f)).get(1).toFloatArray();
      // Garbage in the category and gap tokens of padded positions (type token 0) must not leak.
      for (int i = 0; i < 3; i++)
        for (int t = 0; t < T; t++)
          if (tok[0][i][t] == 0) {
            tok[1][i][t] = r.nextInt(CATS);
            tok[2][i][t] = r.nextInt(8);
          }
      NDList after = forward(block, m, inputs(m, tok, f));
      assertArrayEquals(typesBefore, after.get(0).toFloatArray(), 1e-5f);
      assertArrayEquals(catsBefore, after.get(1).toFloatArray(), 1e-5f);
    }
  }

  @Test
  void aSequenceIsEncodedAloneAsInABatch() {
    try (Model model = Model.newInstance("t", "PyTorch")) {
      NextBehaviorBlock block = initialized(model, attention(32, 1, 2));
      NDManager m = model.getNDManager();
      Random r = new Random(3);
      int[][][] tok = tokens(r, 5, 50);
      float[][] f = features(r, 2);
      NDArray both = forward(block, m, inputs(m, tok, f)).get(0);
      int[][][] first = {{tok[0][0]}, {tok[1][0]}, {tok[2][0]}};
      NDArray alone = forward(block, m, inputs(m, first, new float[][] {f[0]})).get(0);
      assertArrayEquals(alone.toFloatArray(), both.get("0:1").toFloatArray(), 1e-5f);
    }
  }

  @Test
  void headsMustDivideTheWidth() {
    assertThrows(IllegalArgumentException.class, () -> new NextBehaviorBlock(SHAPE, attention(30, 1, 4)));
  }

  @Test
  void aManifestWithoutEncoderMeansTheGru() {
    assertFalse(HyperParams.defaults().attention());
    assertTrue(attention(32, 1, 2).attention());
    assertThrows(IllegalArgumentException.class, () -> HyperParams.defaults().withSizes(32, 32).withAttention(1, 2)
        .equals(new HyperParams(8, 16, 4, 32, 32, 0.2f, 0.3f, 512, 0.002f, 1e-5f, 4, 2, 1L, "lstm", 0, 0)));
  }
}
