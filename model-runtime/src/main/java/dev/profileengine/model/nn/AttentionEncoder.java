package dev.profileengine.model.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * SASRec-style self-attention over the token window, the alternative to the GRU.
 *
 * <pre>
 *   x (B, T, E) -> Linear(d) + learned position embedding (T, d)
 *   per layer (pre-norm):  x = x + dropout(MHA(LN(x)))   x = x + dropout(FFN(LN(x)))   FFN = Linear(2d) relu Linear(d)
 *   output = LN(x)[:, -1, :]   (B, d): the most recent behavior's position
 * </pre>
 *
 * Inputs: {@code NDList(x float32 (B,T,E), padding float32 (B,T))}, padding 1 where the window
 * is left padded. Padded positions are masked out as keys, so whatever they hold never reaches
 * a real position; there is no causal mask because every position is in the past of the target.
 * T may be shorter than the window: a batch cut to its longest sequence holds the window's last T
 * positions (see {@link PaddingCut}).
 */
public final class AttentionEncoder extends AbstractBlock {
  private static final byte VERSION = 1;
  /** Added to the attention score of padded keys; finite, so an all-padding window stays defined. */
  static final float MASKED_SCORE = -1e4f;

  private final int sequenceLength;
  private final int width;
  private final int heads;
  private final Linear input;
  private final Parameter position;
  private final List<Layer> layers = new ArrayList<>();
  private final LayerNorm finalNorm;

  public AttentionEncoder(int sequenceLength, int width, int layerCount, int heads, float dropout) {
    super(VERSION);
    if (width % heads != 0) throw new IllegalArgumentException("d_model " + width + " is not divisible by " + heads + " heads");
    this.sequenceLength = sequenceLength;
    this.width = width;
    this.heads = heads;
    input = addChildBlock("input", Linear.builder().setUnits(width).build());
    position = addParameter(Parameter.builder().setName("position").setType(Parameter.Type.WEIGHT)
        .optShape(new Shape(sequenceLength, width)).build());
    for (int i = 0; i < layerCount; i++) layers.add(addChildBlock("layer" + i, new Layer(width, heads, dropout)));
    finalNorm = addChildBlock("finalNorm", LayerNorm.builder().axis(2).build());
  }

  public int width() {
    return width;
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.get(0);
    NDArray padding = inputs.get(1);
    Device device = x.getDevice();
    long b = x.getShape().get(0);
    long t = x.getShape().get(1);
    // (B,T,d) + (T,d) broadcasts. An op on the parameter itself leaves its result in the model's
    // NDManager, one array per batch for as long as the model serves: a cut batch's slice of the
    // table is moved to the batch's manager.
    NDArray pos = ps.getValue(position, device, training);
    if (t < sequenceLength) {
      pos = pos.get(new NDIndex((sequenceLength - t) + ":"));
      pos.attach(x.getManager());
    }
    NDArray h = input.forward(ps, new NDList(x), training).head().add(pos);
    // (B, 1, 1, T): broadcast over heads and query positions.
    NDArray keyMask = padding.mul(MASKED_SCORE).reshape(b, 1, 1, t);
    for (Layer l : layers) h = l.forward(ps, new NDList(h, keyMask), training).head();
    h = finalNorm.forward(ps, new NDList(h), training).head();
    return new NDList(h.get(":, -1, :"));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[0].get(0), width)};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape x = inputShapes[0];
    input.initialize(manager, dataType, x);
    Shape h = new Shape(x.get(0), x.get(1), width);
    Shape mask = new Shape(x.get(0), 1, 1, x.get(1));
    for (Layer l : layers) l.initialize(manager, dataType, h, mask);
    finalNorm.initialize(manager, dataType, h);
  }

  /** One pre-norm Transformer layer: multi-head self-attention and a feed-forward, each with a residual. */
  static final class Layer extends AbstractBlock {
    private final int width;
    private final int heads;
    private final LayerNorm norm1;
    private final Linear qkv;
    private final Linear out;
    private final Dropout drop1;
    private final LayerNorm norm2;
    private final Linear ff1;
    private final Linear ff2;
    private final Dropout drop2;

    Layer(int width, int heads, float dropout) {
      super(VERSION);
      this.width = width;
      this.heads = heads;
      norm1 = addChildBlock("norm1", LayerNorm.builder().axis(2).build());
      qkv = addChildBlock("qkv", Linear.builder().setUnits(3L * width).build());
      out = addChildBlock("out", Linear.builder().setUnits(width).build());
      drop1 = addChildBlock("drop1", Dropout.builder().optRate(dropout).build());
      norm2 = addChildBlock("norm2", LayerNorm.builder().axis(2).build());
      ff1 = addChildBlock("ff1", Linear.builder().setUnits(2L * width).build());
      ff2 = addChildBlock("ff2", Linear.builder().setUnits(width).build());
      drop2 = addChildBlock("drop2", Dropout.builder().optRate(dropout).build());
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
      NDArray x = inputs.get(0);
      NDArray keyMask = inputs.get(1);
      long b = x.getShape().get(0);
      long t = x.getShape().get(1);
      long dh = width / heads;
      NDArray n = norm1.forward(ps, new NDList(x), training).head();
      // (B, T, 3d) -> (3, B, H, T, dh)
      NDArray proj = qkv.forward(ps, new NDList(n), training).head().reshape(b, t, 3, heads, dh).transpose(2, 0, 3, 1, 4);
      NDArray q = proj.get(0);
      NDArray k = proj.get(1);
      NDArray v = proj.get(2);
      NDArray scores = q.matMul(k.transpose(0, 1, 3, 2)).div((float) Math.sqrt(dh)).add(keyMask);
      NDArray att = scores.softmax(3).matMul(v).transpose(0, 2, 1, 3).reshape(b, t, width);
      NDArray a = out.forward(ps, new NDList(att), training).head();
      x = x.add(drop1.forward(ps, new NDList(a), training).head());
      NDArray f = norm2.forward(ps, new NDList(x), training).head();
      f = ff2.forward(ps, new NDList(Activation.relu(ff1.forward(ps, new NDList(f), training).head())), training).head();
      return new NDList(x.add(drop2.forward(ps, new NDList(f), training).head()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
      return new Shape[] {inputShapes[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
      Shape h = inputShapes[0];
      norm1.initialize(manager, dataType, h);
      qkv.initialize(manager, dataType, h);
      out.initialize(manager, dataType, h);
      drop1.initialize(manager, dataType, h);
      norm2.initialize(manager, dataType, h);
      ff1.initialize(manager, dataType, h);
      ff2.initialize(manager, dataType, new Shape(h.get(0), h.get(1), 2L * width));
      drop2.initialize(manager, dataType, h);
    }
  }
}
