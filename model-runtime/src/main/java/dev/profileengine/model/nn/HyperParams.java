package dev.profileengine.model.nn;

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
 */
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
    long seed) {

  public static HyperParams defaults() {
    return new HyperParams(8, 16, 4, 32, 32, 0.2f, 0.3f, 512, 0.002f, 1e-5f, 4, 2, 20_171_125L);
  }

  public HyperParams withMaxEpochs(int epochs) {
    return new HyperParams(typeEmbedding, categoryEmbedding, gapEmbedding, hidden, dense, dropout, categoryLossWeight,
        batchSize, learningRate, weightDecay, epochs, patience, seed);
  }

  public HyperParams withSeed(long s) {
    return new HyperParams(typeEmbedding, categoryEmbedding, gapEmbedding, hidden, dense, dropout, categoryLossWeight,
        batchSize, learningRate, weightDecay, maxEpochs, patience, s);
  }

  public HyperParams withSizes(int hiddenSize, int denseSize) {
    return new HyperParams(typeEmbedding, categoryEmbedding, gapEmbedding, hiddenSize, denseSize, dropout, categoryLossWeight,
        batchSize, learningRate, weightDecay, maxEpochs, patience, seed);
  }
}
