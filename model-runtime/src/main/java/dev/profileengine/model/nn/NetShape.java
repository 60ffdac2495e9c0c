package dev.profileengine.model.nn;

/**
 * Sizes the network needs from the encoding contract.
 *
 * @param activeTypeMask per {@code BehaviorType} ordinal: true when the type occurs in training;
 *     the others are masked out of the type softmax
 */
public record NetShape(int sequenceLength, int typeTokens, int categoryTokens, int gapTokens, int featureCount,
    boolean[] activeTypeMask) {}
