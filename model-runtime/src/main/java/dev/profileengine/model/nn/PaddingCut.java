package dev.profileengine.model.nn;

/**
 * How a batch skips its window's left padding and still gets the whole window's output (see
 * {@link EncodedBatchTranslator}): the batch runs only as many positions as its longest sequence.
 *
 * @param gruStates the GRU's state after k padding steps, k = 0 .. sequenceLength (row k), which
 *     the cut batch starts from; null with the attention encoder, whose padded keys are masked, so
 *     dropping them changes nothing as long as every row of the batch has a behavior
 */
public record PaddingCut(float[][] gruStates) {
  /** The attention encoder's cut: no state to carry. */
  public static final PaddingCut MASKED = new PaddingCut(null);
}
