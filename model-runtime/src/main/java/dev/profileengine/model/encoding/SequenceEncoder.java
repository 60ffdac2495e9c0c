package dev.profileengine.model.encoding;

import dev.profileengine.profile.RecentBehavior;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The encoding contract: a user's behaviors (oldest first, as {@link RecentBehavior}s, exactly
 * what serving gets) to model input. Training encodes every prefix of a user's history with the
 * same code, so there is no train/serve skew.
 *
 * <p>Only the last {@link EncodingSpec#contextLimit()} behaviors are read; the token sequences
 * hold the last {@link EncodingSpec#sequenceLength()} of them, left padded. Per behavior: type
 * token ({@code 1 + ordinal}), category token (see {@link CategoryVocabulary}), gap token (the
 * time since the previous behavior in the context, log-scale buckets, see {@link EncodingSpec}).
 */
public record SequenceEncoder(EncodingSpec spec, CategoryVocabulary vocabulary, BehaviorStats stats, FeatureScaler scaler) {

  public int featureCount() {
    return SummaryFeatures.count(stats);
  }

  /** Encodes a context; behaviors out of time order are sorted (stably) first. */
  public EncodedSequence encode(List<RecentBehavior> behaviors) {
    return encode(behaviors, 0, behaviors.size());
  }

  /** Encodes {@code behaviors[from, to)} (used by training for every prefix without copying). */
  public EncodedSequence encode(List<RecentBehavior> behaviors, int from, int to) {
    List<RecentBehavior> ctx = context(behaviors, from, to);
    int len = spec.sequenceLength();
    int[] types = new int[len];
    int[] cats = new int[len];
    int[] gaps = new int[len];
    int n = ctx.size();
    int shown = Math.min(len, n);
    for (int j = 0; j < shown; j++) {
      int i = n - shown + j;
      RecentBehavior b = ctx.get(i);
      int slot = len - shown + j;
      types[slot] = 1 + b.type().ordinal();
      cats[slot] = vocabulary.token(b.categoryId());
      gaps[slot] = i == 0 ? 1 : spec.gapToken(b.epochMillis() - ctx.get(i - 1).epochMillis());
    }
    return new EncodedSequence(types, cats, gaps, scaler.apply(SummaryFeatures.compute(ctx, stats)));
  }

  /** Raw (unscaled) summary features of a context, for fitting the scaler. */
  public float[] rawFeatures(List<RecentBehavior> behaviors, int from, int to) {
    return SummaryFeatures.compute(context(behaviors, from, to), stats);
  }

  private List<RecentBehavior> context(List<RecentBehavior> behaviors, int from, int to) {
    int start = Math.max(from, to - spec.contextLimit());
    List<RecentBehavior> ctx = behaviors.subList(start, to);
    for (RecentBehavior b : ctx) if (b == null || b.type() == null) throw new IllegalArgumentException("null behavior or type in context");
    for (int i = 1; i < ctx.size(); i++) {
      if (ctx.get(i).epochMillis() < ctx.get(i - 1).epochMillis()) {
        List<RecentBehavior> sorted = new ArrayList<>(ctx);
        sorted.sort(Comparator.comparingLong(RecentBehavior::epochMillis));
        return sorted;
      }
    }
    return ctx;
  }
}
