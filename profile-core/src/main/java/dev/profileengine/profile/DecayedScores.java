package dev.profileengine.profile;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Interest scores with exponential time decay: each behavior adds its weight, halved every
 * half-life of event time since. Scores are stored as of {@code anchorMillis} (the newest event
 * time seen), so out-of-order events fold in exactly: a late one adds its weight already decayed.
 * At most {@code topK} keys are kept; a new key displaces the weakest only if it scores higher.
 */
public record DecayedScores(long anchorMillis, String[] keys, double[] scores) {

  /** An interest in one key (most profiles') shares its arrays with the profiles of that same interest. */
  public DecayedScores {
    keys = SharedSingles.of(keys);
    scores = SharedSingles.of(scores);
  }

  // Shared by every empty profile (each live entity also keeps its empty state): copy-on-write.
  private static final DecayedScores EMPTY = new DecayedScores(Long.MIN_VALUE, new String[0], new double[0]);

  public static DecayedScores empty() {
    return EMPTY;
  }

  static double decay(long elapsedMillis, long halfLifeMillis) {
    return elapsedMillis <= 0 ? 1.0 : Math.pow(0.5, (double) elapsedMillis / halfLifeMillis);
  }

  public DecayedScores add(String key, double weight, long timeMillis, long halfLifeMillis, int topK) {
    if (key == null || weight <= 0) return this;
    long anchor = Math.max(anchorMillis, timeMillis);
    double[] s = Arrays.copyOf(scores, scores.length);
    if (anchorMillis != Long.MIN_VALUE && anchor > anchorMillis) {
      double f = decay(anchor - anchorMillis, halfLifeMillis);
      for (int i = 0; i < s.length; i++) s[i] *= f;
    }
    double w = weight * decay(anchor - timeMillis, halfLifeMillis);
    for (int i = 0; i < keys.length; i++) {
      if (keys[i].equals(key)) {
        s[i] += w;
        return new DecayedScores(anchor, keys, s);
      }
    }
    if (keys.length < topK) {
      String[] k = Arrays.copyOf(keys, keys.length + 1);
      double[] v = Arrays.copyOf(s, s.length + 1);
      k[keys.length] = key;
      v[keys.length] = w;
      return new DecayedScores(anchor, k, v);
    }
    int weakest = 0;
    for (int i = 1; i < s.length; i++) if (s[i] < s[weakest]) weakest = i;
    if (s[weakest] >= w) return new DecayedScores(anchor, keys, s);
    String[] k = keys.clone();
    k[weakest] = key;
    s[weakest] = w;
    return new DecayedScores(anchor, k, s);
  }

  /** A key's decayed weight as of {@code asOfMillis}, 0 if not kept. */
  public double weight(String key, long asOfMillis, long halfLifeMillis) {
    for (int i = 0; i < keys.length; i++)
      if (keys[i].equals(key)) return scores[i] * decay(asOfMillis - anchorMillis, halfLifeMillis);
    return 0;
  }

  /** A key's share of all kept weight (0..1, the {@code score} of {@link #ranked}), 0 if not kept. */
  public double share(String key) {
    double total = 0;
    double own = 0;
    for (int i = 0; i < keys.length; i++) {
      total += scores[i];
      if (keys[i].equals(key)) own = scores[i];
    }
    return total > 0 ? own / total : 0;
  }

  /** The key with the largest share, null if none is kept. */
  public String top() {
    int best = -1;
    for (int i = 0; i < keys.length; i++)
      if (best < 0 || scores[i] > scores[best] || (scores[i] == scores[best] && keys[i].compareTo(keys[best]) < 0)) best = i;
    return best < 0 ? null : keys[best];
  }

  /**
   * Best first. {@code score} is the key's share of all kept weight (0..1, the kept shares sum to
   * 1, unaffected by the reading time); {@code weight} is the decayed weight as of {@code asOfMillis}.
   */
  public List<Interest> ranked(long asOfMillis, long halfLifeMillis) {
    double total = 0;
    for (double v : scores) total += v;
    double f = decay(asOfMillis - anchorMillis, halfLifeMillis);
    List<Interest> out = new ArrayList<>(keys.length);
    for (int i = 0; i < keys.length; i++)
      out.add(new Interest(keys[i], total > 0 ? scores[i] / total : 0, scores[i] * f));
    out.sort(Comparator.comparingDouble(Interest::score).reversed().thenComparing(Interest::id));
    return out;
  }

  public record Interest(String id, double score, double weight) {}
}
