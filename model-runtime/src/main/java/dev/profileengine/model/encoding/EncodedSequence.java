package dev.profileengine.model.encoding;

/**
 * One encoded input: three aligned token sequences of {@link EncodingSpec#sequenceLength()}
 * (left padded with 0) and the standardized summary features.
 */
public record EncodedSequence(int[] types, int[] categories, int[] gaps, float[] features) {}
