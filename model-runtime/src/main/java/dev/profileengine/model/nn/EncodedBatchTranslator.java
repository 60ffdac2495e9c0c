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
 */
public final class EncodedBatchTranslator implements NoBatchifyTranslator<List<EncodedSequence>, NetOutput> {
  private final int sequenceLength;
  private final int featureCount;

  public EncodedBatchTranslator(int sequenceLength, int featureCount) {
    this.sequenceLength = sequenceLength;
    this.featureCount = featureCount;
  }

  @Override
  public NDList processInput(TranslatorContext ctx, List<EncodedSequence> batch) {
    return toNDList(ctx.getNDManager(), batch, sequenceLength, featureCount);
  }

  public static NDList toNDList(NDManager m, List<EncodedSequence> batch, int sequenceLength, int featureCount) {
    int b = batch.size();
    int[] types = new int[b * sequenceLength];
    int[] cats = new int[b * sequenceLength];
    int[] gaps = new int[b * sequenceLength];
    float[] feats = new float[b * featureCount];
    for (int i = 0; i < b; i++) {
      EncodedSequence s = batch.get(i);
      System.arraycopy(s.types(), 0, types, i * sequenceLength, sequenceLength);
      System.arraycopy(s.categories(), 0, cats, i * sequenceLength, sequenceLength);
      System.arraycopy(s.gaps(), 0, gaps, i * sequenceLength, sequenceLength);
      System.arraycopy(s.features(), 0, feats, i * featureCount, featureCount);
    }
    Shape seq = new Shape(b, sequenceLength);
    return new NDList(m.create(types, seq), m.create(cats, seq), m.create(gaps, seq),
        m.create(feats, new Shape(b, featureCount)));
  }

  @Override
  public NetOutput processOutput(TranslatorContext ctx, NDList out) {
    NDArray typeLogits = out.get(0);
    NDArray catProbs = out.get(1).softmax(1);
    int b = (int) typeLogits.getShape().get(0);
    return new NetOutput(typeLogits.toFloatArray(), catProbs.toFloatArray(), b);
  }
}
