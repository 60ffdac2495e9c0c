package dev.profileengine.model.nn;

/**
 * Raw network output for a batch, copied off the engine.
 *
 * @param typeLogits (B, 6): one logit per BehaviorType ordinal, inactive types at -1e4
 * @param categoryProbabilities (B, V): softmax over the category vocabulary tokens
 */
public record NetOutput(float[][] typeLogits, float[][] categoryProbabilities) {
  public int size() {
    return typeLogits.length;
  }
}
