package dev.profileengine.model.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.recurrent.GRU;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The next-behavior network.
 *
 * <pre>
 *   type, category, gap tokens (B, 50) -> embeddings (8 + 16 + 4) -> GRU(32) -> last state h
 *     (or, with encoder "attention", {@link AttentionEncoder}: its output at the last position)
 *   zt = dropout(relu(Linear([h, features])))   zc = relu(Linear([h, features]))   (B, 64) each
 *   type logits     = Linear(zt) + Linear(features) + mask            (B, 6)   one per BehaviorType
 *   category logits = Linear(zc)                                      (B, V)   one per vocabulary token
 * </pre>
 *
 * Inputs: {@code NDList(types int32 (B,T), categories int32 (B,T), gaps int32 (B,T),
 * features float32 (B,F))}; with the GRU, optionally a fifth, the GRU's initial state (1,B,H), so
 * a batch can start from a state of {@link #paddingCut} and skip the padding's steps. T may be
 * shorter than the window when the batch is cut (see {@link PaddingCut}). Outputs:
 * {@code NDList(typeLogits, categoryLogits)}. Types that do
 * not occur in training get a -1e4 logit offset, so their probability is 0 and the probabilities
 * of all six types sum to 1. The linear "wide" path from the features to the type logits lets
 * the network start from what a logistic regression on the summary features knows.
 */
public final class NextBehaviorBlock extends AbstractBlock {
  private static final byte VERSION = 1;
  public static final float MASKED_LOGIT = -1e4f;

  private final NetShape shape;
  private final Parameter typeEmbedding;
  private final Parameter categoryEmbedding;
  private final Parameter gapEmbedding;
  private final GRU gru;
  private final AttentionEncoder attention;
  private final Linear typeDense;
  private final Linear categoryDense;
  private final Dropout dropout;
  private final Linear typeHead;
  private final Linear wide;
  private final Linear categoryHead;
  private final float[] typeMask;

  public NextBehaviorBlock(NetShape shape, HyperParams hp) {
    super(VERSION);
    this.shape = shape;
    typeEmbedding = addParameter(Parameter.builder().setName("typeEmbedding").setType(Parameter.Type.WEIGHT)
        .optShape(new Shape(shape.typeTokens(), hp.typeEmbedding())).build());
    categoryEmbedding = addParameter(Parameter.builder().setName("categoryEmbedding").setType(Parameter.Type.WEIGHT)
        .optShape(new Shape(shape.categoryTokens(), hp.categoryEmbedding())).build());
    gapEmbedding = addParameter(Parameter.builder().setName("gapEmbedding").setType(Parameter.Type.WEIGHT)
        .optShape(new Shape(shape.gapTokens(), hp.gapEmbedding())).build());
    // Only the chosen encoder is a child, so a GRU version's parameter file is unchanged.
    if (hp.attention()) {
      gru = null;
      attention = addChildBlock("attention", new AttentionEncoder(shape.sequenceLength(), hp.hidden(), hp.layers(), hp.heads(), hp.dropout()));
    } else {
      attention = null;
      gru = addChildBlock("gru", GRU.builder().setStateSize(hp.hidden()).setNumLayers(1)
          .optBatchFirst(true).optReturnState(false).build());
    }
    typeDense = addChildBlock("typeDense", Linear.builder().setUnits(hp.dense()).build());
    categoryDense = addChildBlock("categoryDense", Linear.builder().setUnits(hp.dense()).build());
    dropout = addChildBlock("dropout", Dropout.builder().optRate(hp.dropout()).build());
    typeHead = addChildBlock("typeHead", Linear.builder().setUnits(shape.activeTypeMask().length).build());
    wide = addChildBlock("wide", Linear.builder().setUnits(shape.activeTypeMask().length).optBias(false).build());
    categoryHead = addChildBlock("categoryHead", Linear.builder().setUnits(shape.categoryTokens()).build());
    typeMask = new float[shape.activeTypeMask().length];
    for (int i = 0; i < typeMask.length; i++) typeMask[i] = shape.activeTypeMask()[i] ? 0f : MASKED_LOGIT;
  }

  public NetShape netShape() {
    return shape;
  }

  /** Input shapes for a batch of {@code batch} sequences (for initialization). */
  public Shape[] inputShapes(long batch) {
    return new Shape[] {
      new Shape(batch, shape.sequenceLength()), new Shape(batch, shape.sequenceLength()),
      new Shape(batch, shape.sequenceLength()), new Shape(batch, shape.featureCount())
    };
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray types = inputs.get(0);
    NDArray cats = inputs.get(1);
    NDArray gaps = inputs.get(2);
    NDArray features = inputs.get(3);
    Device device = types.getDevice();
    NDArray te = Embedding.embedding(types, ps.getValue(typeEmbedding, device, training), ai.djl.ndarray.types.SparseFormat.DENSE).singletonOrThrow();
    NDArray ce = Embedding.embedding(cats, ps.getValue(categoryEmbedding, device, training), ai.djl.ndarray.types.SparseFormat.DENSE).singletonOrThrow();
    NDArray ge = Embedding.embedding(gaps, ps.getValue(gapEmbedding, device, training), ai.djl.ndarray.types.SparseFormat.DENSE).singletonOrThrow();
    NDArray x = NDArrays.concat(new NDList(te, ce, ge), 2);
    NDArray last;
    if (attention != null) {
      // Type token 0 marks the left padding.
      NDArray padding = types.eq(0).toType(DataType.FLOAT32, false);
      last = attention.forward(ps, new NDList(x, padding), training).head();
    } else {
      NDList in = inputs.size() > 4 ? new NDList(x, inputs.get(4)) : new NDList(x);
      last = gru.forward(ps, in, training).head().get(":, -1, :");
    }
    NDList hf = new NDList(NDArrays.concat(new NDList(last, features), 1));
    NDArray zt = Activation.relu(typeDense.forward(ps, hf, training).head());
    zt = dropout.forward(ps, new NDList(zt), training).head();
    NDArray zc = Activation.relu(categoryDense.forward(ps, hf, training).head());
    NDManager m = types.getManager();
    NDArray mask = m.create(typeMask).toDevice(device, false);
    NDArray typeLogits = typeHead.forward(ps, new NDList(zt), training).head()
        .add(wide.forward(ps, new NDList(features), training).head())
        .add(mask);
    NDArray catLogits = categoryHead.forward(ps, new NDList(zc), training).head();
    return new NDList(typeLogits, catLogits);
  }

  /**
   * How a batch of this network may skip its padding. With the GRU: its state after {@code k}
   * padding steps, for k = 0 .. sequenceLength (row k; row 0 is zeros). Padding tokens are all 0,
   * so these states are constants of the parameters: a batch whose longest sequence has {@code w}
   * behaviors can run only its last {@code w} steps from row {@code sequenceLength - w} and get
   * the same output. Each GRU step costs the same (about 60 µs on one CPU thread) whatever the
   * batch size, and most profiles hold far fewer than 50 behaviors. With attention, padded keys
   * are masked: {@link PaddingCut#MASKED}.
   */
  public PaddingCut paddingCut(NDManager parent) {
    if (gru == null) return PaddingCut.MASKED;
    int t = shape.sequenceLength();
    try (NDManager m = parent.newSubManager()) {
      ParameterStore ps = new ParameterStore(m, false);
      Device device = m.getDevice();
      NDArray zeros = m.zeros(new Shape(1, t), DataType.INT32);
      NDArray x = NDArrays.concat(new NDList(
          Embedding.embedding(zeros, ps.getValue(typeEmbedding, device, false), ai.djl.ndarray.types.SparseFormat.DENSE).singletonOrThrow(),
          Embedding.embedding(zeros, ps.getValue(categoryEmbedding, device, false), ai.djl.ndarray.types.SparseFormat.DENSE).singletonOrThrow(),
          Embedding.embedding(zeros, ps.getValue(gapEmbedding, device, false), ai.djl.ndarray.types.SparseFormat.DENSE).singletonOrThrow()), 2);
      float[] out = gru.forward(ps, new NDList(x), false).head().toFloatArray();
      int h = out.length / t;
      float[][] states = new float[t + 1][h];
      for (int k = 1; k <= t; k++) System.arraycopy(out, (k - 1) * h, states[k], 0, h);
      return new PaddingCut(states);
    }
  }

  /**
   * Sets the wide path to a linear model's weights {@code (types, features)} and bias, and the
   * deep type head's output layer to zero, so the network starts as that linear model.
   */
  public void warmStart(float[][] wideWeights, float[] bias) {
    int k = wideWeights.length;
    int f = wideWeights[0].length;
    float[] flat = new float[k * f];
    for (int c = 0; c < k; c++) System.arraycopy(wideWeights[c], 0, flat, c * f, f);
    NDArray w = wide.getParameters().get("weight").getArray();
    w.set(java.nio.FloatBuffer.wrap(flat));
    NDArray hw = typeHead.getParameters().get("weight").getArray();
    hw.set(java.nio.FloatBuffer.wrap(new float[(int) hw.getShape().size()]));
    typeHead.getParameters().get("bias").getArray().set(java.nio.FloatBuffer.wrap(bias.clone()));
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    long b = inputShapes[0].get(0);
    return new Shape[] {new Shape(b, shape.activeTypeMask().length), new Shape(b, shape.categoryTokens())};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    long b = inputShapes[0].get(0);
    int t = shape.sequenceLength();
    long emb = typeEmbedding.getShape().get(1) + categoryEmbedding.getShape().get(1) + gapEmbedding.getShape().get(1);
    long h;
    if (attention != null) {
      attention.initialize(manager, dataType, new Shape(b, t, emb), new Shape(b, t));
      h = attention.width();
    } else {
      gru.initialize(manager, dataType, new Shape(b, t, emb));
      h = gru.getOutputShapes(new Shape[] {new Shape(b, t, emb)})[0].get(2);
    }
    Shape hf = new Shape(b, h + shape.featureCount());
    typeDense.initialize(manager, dataType, hf);
    categoryDense.initialize(manager, dataType, hf);
    long dense = typeDense.getOutputShapes(new Shape[] {hf})[0].get(1);
    dropout.initialize(manager, dataType, new Shape(b, dense));
    typeHead.initialize(manager, dataType, new Shape(b, dense));
    wide.initialize(manager, dataType, new Shape(b, shape.featureCount()));
    categoryHead.initialize(manager, dataType, new Shape(b, dense));
  }
}
