package dev.profileengine.model.nn;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Architecture and training hyper-parameters (stored in the manifest).
 *
 * @param typeEmbedding width of the behavior-type embedding
 * @param categoryEmbedding width of the category embedding
 * @param gapEmbedding width of the time-gap embedding
 * @param hidden GRU state size
 * @param dense width of each head's dense layer on [GRU state, summary features]
 * @param dropout dropout rate on the type head's dense layer (training only)
 * @param categoryLossWeight weight of the next-category cross-entropy in the total loss
 * @param batchSize training mini-batch
 * @param learningRate Adam learning rate
 * @param weightDecay Adam weight decay
 * @param maxEpochs epoch budget
 * @param patience epochs without validation improvement before stopping
 * @param seed seed of initialization and shuffling
 * @param encoder sequence encoder, {@code gru} or {@code attention}; absent (null) in manifests
 *     written before the attention encoder, which means {@code gru}
 * @param layers self-attention layers (attention only; {@code hidden} is d_model)
 * @param heads attention heads per layer (attention only)
 */
// NON_NULL: a GRU manifest written by default() has no encoder field, as those before attention.
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HyperParams(
    int typeEmbedding,
    int categoryEmbedding,
    int gapEmbedding,
    int hidden,
    int dense,
    float dropout,
    float categoryLossWeight,
    int batchSize,
    float learningRate,
    float weightDecay,
    int maxEpochs,
    int patience,
    long seed,
    String encoder,
    int layers,
    int heads) {

  public static final String GRU = "gru";
  public static final String ATTENTION = "attention";

  public HyperParams {
    if (encoder != null && !GRU.equals(encoder) && !ATTENTION.equals(encoder))
      throw new IllegalArgumentException("unknown encoder '" + encoder + "' (gru or attention)");
  }

  /** True when the sequence encoder is self-attention (a missing field means the GRU). */
  public boolean attention() {
    return ATTENTION.equals(encoder);
  }

  public static HyperParams defaults() {
    return new HyperParams(8, 16, 4, 32, 32, 0.2f, 0.3f, 512, 0.002f, 1e-5f, 4, 2, 20_171_125L, null, 0, 0);
  }

  public HyperParams withMaxEpochs(int epochs) {
    return new HyperParams(typeEmbedding, categoryEmbedding, gapEmbedding, hidden, dense, dropout, categoryLossWeight,
        batchSize, learningRate, weightDecay, epochs, patience, seed, encoder, layers, heads);
  }

  public HyperParams withSeed(long s) {
    return new HyperParams(typeEmbedding, categoryEmbedding, gapEmbedding, hidden, dense, dropout, categoryLossWeight,
        batchSize, learningRate, weightDecay, maxEpochs, patience, s, encoder, layers, heads);
  }

  public HyperParams withSizes(int hiddenSize, int denseSize) {
    return new HyperParams(typeEmbedding, categoryEmbedding, gapEmbedding, hiddenSize, denseSize, dropout, categoryLossWeight,
        batchSize, learningRate, weightDecay, maxEpochs, patience, seed, encoder, layers, heads);
  }

  /** The self-attention encoder with d_model {@code hidden}, {@code layerCount} layers of {@code headCount} heads. */
  public HyperParams withAttention(int layerCount, int headCount) {
    return new HyperParams(typeEmbedding, categoryEmbedding, gapEmbedding, hidden, dense, dropout, categoryLossWeight,
        batchSize, learningRate, weightDecay, maxEpochs, patience, seed, ATTENTION, layerCount, headCount);
  }
}
