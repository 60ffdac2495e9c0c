package dev.profileengine.model.encoding;

import java.util.Arrays;

/**
 * Shape of the encoding contract shared by training and serving.
 *
 * @param sequenceLength tokens per sequence (the most recent behaviors, left padded), 50
 * @param contextLimit how many most recent behaviors the first summary contract read (1024); kept in
 *     manifests, unused since the whole-history parts come from {@code BehaviorHistory} counters
 * @param gapBoundsSeconds upper bounds of the log-scale time-gap buckets
 */
public record EncodingSpec(int sequenceLength, int contextLimit, long[] gapBoundsSeconds) {
  public static final EncodingSpec DEFAULT = new EncodingSpec(50, 1024, new long[] {10, 60, 600, 3600, 86_400});

  public EncodingSpec {
    if (sequenceLength < 1) throw new IllegalArgumentException("sequenceLength >= 1");
    if (contextLimit < sequenceLength) throw new IllegalArgumentException("contextLimit >= sequenceLength");
    gapBoundsSeconds = gapBoundsSeconds.clone();
    for (int i = 1; i < gapBoundsSeconds.length; i++)
      if (gapBoundsSeconds[i] <= gapBoundsSeconds[i - 1]) throw new IllegalArgumentException("gap bounds must increase");
  }

  /** Gap tokens: 0 pad, 1 first behavior (no previous), then one per bucket incl. the open last one. */
  public int gapTokenCount() {
    return 2 + gapBoundsSeconds.length + 1;
  }

  /** Token of the gap between a behavior and the previous one; negative gaps count as 0. */
  public int gapToken(long gapMillis) {
    long s = Math.max(0, gapMillis) / 1000;
    for (int i = 0; i < gapBoundsSeconds.length; i++) if (s < gapBoundsSeconds[i]) return 2 + i;
    return 2 + gapBoundsSeconds.length;
  }

  /** Type tokens: 0 pad, 1 + {@code BehaviorType.ordinal()}. */
  public static int typeTokenCount() {
    return 1 + dev.profileengine.profile.BehaviorType.count();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EncodingSpec e && e.sequenceLength == sequenceLength && e.contextLimit == contextLimit
        && Arrays.equals(e.gapBoundsSeconds, gapBoundsSeconds);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * sequenceLength + contextLimit) + Arrays.hashCode(gapBoundsSeconds);
  }

  @Override
  public String toString() {
    return "EncodingSpec[sequenceLength=" + sequenceLength + ", contextLimit=" + contextLimit
        + ", gapBoundsSeconds=" + Arrays.toString(gapBoundsSeconds) + "]";
  }
}
