package dev.profileengine.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import dev.profileengine.model.encoding.EncodedSequence;
import java.util.List;

/**
 * Turns a whole batch of encoded sequences into one forward pass. DJL's predictor gives each
 * call its own {@link TranslatorContext} whose NDManager is closed when the call returns, so
 * every NDArray of a batch lives exactly as long as that batch.
 *
 * <p>Given the network's {@link PaddingCut}, a batch is cut to the width of its longest sequence
 * (a GRU starts from the state the cut padding would have left): the same output for a fraction
 * of the steps.
 */
public final class EncodedBatchTranslator implements NoBatchifyTranslator<List<EncodedSequence>, NetOutput> {
  private final int sequenceLength;
  private final int featureCount;
  private final PaddingCut cut;

  /** Full-width batches (training). */
  public EncodedBatchTranslator(int sequenceLength, int featureCount) {
    this(sequenceLength, featureCount, null);
  }

  /** Batches cut to their longest sequence when {@code cut} is not null. */
  public EncodedBatchTranslator(int sequenceLength, int featureCount, PaddingCut cut) {
    if (cut != null && cut.gruStates() != null && cut.gruStates().length != sequenceLength + 1)
      throw new IllegalArgumentException("padding states for 0.." + sequenceLength + " steps, got " + cut.gruStates().length);
    this.sequenceLength = sequenceLength;
    this.featureCount = featureCount;
    this.cut = cut;
  }

  @Override
  public NDList processInput(TranslatorContext ctx, List<EncodedSequence> batch) {
    return cut == null ? toNDList(ctx.getNDManager(), batch, sequenceLength, featureCount)
        : toTrimmedNDList(ctx.getNDManager(), batch, sequenceLength, featureCount, cut);
  }

  /**
   * The batch cut to its longest sequence (at least one step), plus the GRU's initial state
   * (1, B, H) with a GRU. With attention, a batch holding a row without behaviors keeps the whole
   * window (such a row attends to its padding, so the padding's length matters).
   */
  public static NDList toTrimmedNDList(NDManager m, List<EncodedSequence> batch, int sequenceLength, int featureCount,
      PaddingCut cut) {
    int width = 1;
    for (EncodedSequence s : batch) {
      int n = length(s.types());
      width = cut.gruStates() == null && n == 0 ? sequenceLength : Math.max(width, n);
      if (width == sequenceLength) break;
    }
    NDList in = lastPositions(m, batch, sequenceLength, featureCount, width);
    if (cut.gruStates() != null) {
      float[] start = cut.gruStates()[sequenceLength - width];
      float[] h0 = new float[batch.size() * start.length];
      for (int i = 0; i < batch.size(); i++) System.arraycopy(start, 0, h0, i * start.length, start.length);
      in.add(m.create(h0, new Shape(1, batch.size(), start.length)));
    }
    return in;
  }

  /** Behaviors in a left-padded token sequence (type token 0 is padding). */
  static int length(int[] types) {
    for (int i = 0; i < types.length; i++) if (types[i] != 0) return types.length - i;
    return 0;
  }

  public static NDList toNDList(NDManager m, List<EncodedSequence> batch, int sequenceLength, int featureCount) {
    return lastPositions(m, batch, sequenceLength, featureCount, sequenceLength);
  }

  /** Each sequence's last {@code width} positions (B, width) and the features (B, F). */
  private static NDList lastPositions(NDManager m, List<EncodedSequence> batch, int sequenceLength, int featureCount, int width) {
    int b = batch.size();
    int skip = sequenceLength - width;
    int[] types = new int[b * width];
    int[] cats = new int[b * width];
    int[] gaps = new int[b * width];
    float[] feats = new float[b * featureCount];
    for (int i = 0; i < b; i++) {
      EncodedSequence s = batch.get(i);
      System.arraycopy(s.types(), skip, types, i * width, width);
      System.arraycopy(s.categories(), skip, cats, i * width, width);
      System.arraycopy(s.gaps(), skip, gaps, i * width, width);
      System.arraycopy(s.features(), 0, feats, i * featureCount, featureCount);
    }
    Shape seq = new Shape(b, width);
    return new NDList(m.create(types, seq), m.create(cats, seq), m.create(gaps, seq), m.create(feats, new Shape(b, featureCount)));
  }

  @Override
  public NetOutput processOutput(TranslatorContext ctx, NDList out) {
    NDArray typeLogits = out.get(0);
    NDArray catProbs = out.get(1).softmax(1);
    int b = (int) typeLogits.getShape().get(0);
    return new NetOutput(typeLogits.toFloatArray(), catProbs.toFloatArray(), b);
  }
}
