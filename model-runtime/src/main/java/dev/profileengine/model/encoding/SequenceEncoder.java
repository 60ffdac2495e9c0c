package dev.profileengine.model.encoding;

import dev.profileengine.profile.RecentBehavior;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The encoding contract: a user's {@link UserContext} (recent behaviors, oldest first, and the
 * whole-history counters; exactly what serving gets) to model input. Training encodes the context
 * before every target with the same code, so there is no train/serve skew.
 *
 * <p>The window is the last {@link EncodingSpec#sequenceLength()} recent behaviors, left padded.
 * Per behavior: type token ({@code 1 + ordinal}), category token (see {@link CategoryVocabulary}),
 * gap token (the time since the previous behavior in the window, log-scale buckets, see
 * {@link EncodingSpec}; the oldest behavior of the window has the "no previous" token, so a
 * profile's 50 behaviors and a longer offline history encode alike). Summary features:
 * {@link SummaryFeatures}, of the contract {@code summary} names.
 */
public record SequenceEncoder(EncodingSpec spec, CategoryVocabulary vocabulary, BehaviorStats stats, FeatureScaler scaler,
    String summary) {

  public SequenceEncoder {
    SummaryFeatures.checked(summary);
  }

  /** An encoder of the base summary contract ({@link SummaryFeatures#CONTRACT}). */
  public SequenceEncoder(EncodingSpec spec, CategoryVocabulary vocabulary, BehaviorStats stats, FeatureScaler scaler) {
    this(spec, vocabulary, stats, scaler, SummaryFeatures.CONTRACT);
  }

  public int featureCount() {
    return SummaryFeatures.count(stats, summary);
  }

  public EncodedSequence encode(UserContext c) {
    List<RecentBehavior> w = window(c);
    int len = spec.sequenceLength();
    int[] types = new int[len];
    int[] cats = new int[len];
    int[] gaps = new int[len];
    int n = w.size();
    for (int i = 0; i < n; i++) {
      RecentBehavior b = w.get(i);
      int slot = len - n + i;
      types[slot] = 1 + b.type().ordinal();
      cats[slot] = vocabulary.token(b.categoryId());
      gaps[slot] = i == 0 ? 1 : spec.gapToken(b.epochMillis() - w.get(i - 1).epochMillis());
    }
    return new EncodedSequence(types, cats, gaps, scaler.apply(SummaryFeatures.compute(w, c.history(), stats, summary)));
  }

  /** Raw (unscaled) summary features of a context, for fitting the scaler. */
  public float[] rawFeatures(UserContext c) {
    return SummaryFeatures.compute(window(c), c.history(), stats, summary);
  }

  /**
   * The behaviors the window-based parts read: the last {@code sequenceLength} recent ones, in time
   * order (behaviors out of time order are sorted stably first).
   */
  public List<RecentBehavior> window(UserContext c) {
    List<RecentBehavior> recent = c.recent();
    List<RecentBehavior> w = recent.subList(Math.max(0, recent.size() - spec.sequenceLength()), recent.size());
    for (RecentBehavior b : w) if (b == null || b.type() == null) throw new IllegalArgumentException("null behavior or type in context");
    for (int i = 1; i < w.size(); i++) {
      if (w.get(i).epochMillis() < w.get(i - 1).epochMillis()) {
        List<RecentBehavior> sorted = new ArrayList<>(w);
        sorted.sort(Comparator.comparingLong(RecentBehavior::epochMillis));
        return sorted;
      }
    }
    return w;
  }
}
