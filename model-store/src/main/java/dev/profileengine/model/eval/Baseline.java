package dev.profileengine.model.eval;

import dev.profileengine.model.encoding.BehaviorStats;
import dev.profileengine.profile.BehaviorType;
import dev.profileengine.profile.RecentBehavior;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The reference baselines of samples/README.md. Each is a pure function of statistics fitted on the
 * history part and of the user's events before the predicted one.
 */
public sealed interface Baseline {
  /** Short key used in the report and the JSON output. */
  String key();

  /** Human-readable name for the table. */
  String title();

  /** Predicts the next behavior type: probabilities per BehaviorType ordinal. */
  non-sealed interface TypeBaseline extends Baseline {
    double[] predict(List<RecentBehavior> before);

    /** The predicted class given {@code p = predict(before)}: the most probable type unless tuned. */
    default BehaviorType decide(List<RecentBehavior> before, double[] p) {
      return Evaluator.argmax(p);
    }
  }

  /** Ranks the next categories. */
  non-sealed interface CategoryBaseline extends Baseline {
    List<String> top(List<RecentBehavior> before, int k);
  }

  /** The standard set, fitted on the history sequences. */
  static List<Baseline> standard(BehaviorStats stats, List<List<RecentBehavior>> history) {
    List<String> popular = GlobalPopular.topCategories(history, 10);
    return List.of(
        new Majority(stats),
        new GlobalMarkov(stats),
        new UserMarkov(stats, 4.0),
        RepeatLast.fit(stats, history),
        new GlobalPopular(popular),
        new UserMostFrequent(),
        new UserFrequentThenPopular(popular),
        new UserRecent());
  }

  /** Always the global type frequencies. */
  record Majority(BehaviorStats stats) implements TypeBaseline {
    public String key() { return "majority"; }
    public String title() { return "majority class"; }
    public double[] predict(List<RecentBehavior> before) { return stats.prior().clone(); }
  }

  /** Global previous type -> next type, Laplace smoothed. */
  record GlobalMarkov(BehaviorStats stats) implements TypeBaseline {
    public String key() { return "globalMarkov"; }
    public String title() { return "global Markov (prev type -> next, Laplace)"; }
    public double[] predict(List<RecentBehavior> before) {
      if (before.isEmpty()) return stats.prior().clone();
      return stats.transitions()[before.get(before.size() - 1).type().ordinal()].clone();
    }
  }

  /** The user's own transitions from the last type, backed off to the global row with pseudo-counts. */
  record UserMarkov(BehaviorStats stats, double pseudoCounts) implements TypeBaseline {
    public String key() { return "userMarkov"; }
    public String title() { return "per-user Markov, global backoff (4 pseudo-counts)"; }
    public double[] predict(List<RecentBehavior> before) {
      if (before.isEmpty()) return stats.prior().clone();
      int last = before.get(before.size() - 1).type().ordinal();
      double[] global = stats.transitions()[last];
      double[] counts = new double[BehaviorType.count()];
      double row = 0;
      for (int i = 1; i < before.size(); i++) {
        if (before.get(i - 1).type().ordinal() == last) {
          counts[before.get(i).type().ordinal()]++;
          row++;
        }
      }
      double[] p = new double[BehaviorType.count()];
      for (BehaviorType a : stats.activeTypes())
        p[a.ordinal()] = (counts[a.ordinal()] + pseudoCounts * global[a.ordinal()]) / (row + pseudoCounts);
      return p;
    }
  }

  /** The last type again with the repeat probability seen in history, the rest spread evenly. */
  record RepeatLast(BehaviorStats stats, double repeatProbability) implements TypeBaseline {
    public static RepeatLast fit(BehaviorStats stats, List<List<RecentBehavior>> history) {
      long same = 0;
      long pairs = 0;
      for (List<RecentBehavior> s : history)
        for (int i = 1; i < s.size(); i++) {
          pairs++;
          if (s.get(i).type() == s.get(i - 1).type()) same++;
        }
      return new RepeatLast(stats, pairs == 0 ? 0.5 : (double) same / pairs);
    }

    public String key() { return "repeatLast"; }
    public String title() { return "repeat-last (calibrated repeat probability)"; }
    public double[] predict(List<RecentBehavior> before) {
      if (before.isEmpty()) return stats.prior().clone();
      BehaviorType last = before.get(before.size() - 1).type();
      List<BehaviorType> active = stats.activeTypes();
      double[] p = new double[BehaviorType.count()];
      if (!stats.isActive(last)) {
        for (BehaviorType a : active) p[a.ordinal()] = 1.0 / active.size();
        return p;
      }
      for (BehaviorType a : active) p[a.ordinal()] = (1 - repeatProbability) / Math.max(1, active.size() - 1);
      p[last.ordinal()] = active.size() == 1 ? 1.0 : repeatProbability;
      return p;
    }
  }

  /** The 10 most frequent categories of the history part. */
  record GlobalPopular(List<String> popular) implements CategoryBaseline {
    public static List<String> topCategories(List<List<RecentBehavior>> history, int k) {
      Map<String, Long> counts = new HashMap<>();
      for (List<RecentBehavior> s : history)
        for (RecentBehavior b : s) if (b.categoryId() != null) counts.merge(b.categoryId(), 1L, Long::sum);
      return counts.entrySet().stream()
          .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
          .limit(k).map(Map.Entry::getKey).toList();
    }

    public String key() { return "globalPopular"; }
    public String title() { return "global popular categories"; }
    public List<String> top(List<RecentBehavior> before, int k) { return popular.subList(0, Math.min(k, popular.size())); }
  }

  /** The user's own most frequent categories so far (ties: most recently seen first). */
  record UserMostFrequent() implements CategoryBaseline {
    static List<String> rank(List<RecentBehavior> before, int k) {
      Map<String, long[]> stats = new HashMap<>(); // count, last position
      for (int i = 0; i < before.size(); i++) {
        String c = before.get(i).categoryId();
        if (c == null) continue;
        long[] s = stats.computeIfAbsent(c, x -> new long[2]);
        s[0]++;
        s[1] = i;
      }
      List<Map.Entry<String, long[]>> e = new ArrayList<>(stats.entrySet());
      e.sort(Comparator.<Map.Entry<String, long[]>>comparingLong(x -> -x.getValue()[0])
          .thenComparingLong(x -> -x.getValue()[1]));
      return e.stream().limit(k).map(Map.Entry::getKey).toList();
    }

    public String key() { return "userMostFrequent"; }
    public String title() { return "user's own most frequent categories"; }
    public List<String> top(List<RecentBehavior> before, int k) { return rank(before, k); }
  }

  /** The user's own most frequent, then global popular to fill the list. */
  record UserFrequentThenPopular(List<String> popular) implements CategoryBaseline {
    public String key() { return "userThenPopular"; }
    public String title() { return "blend (own, then popular to fill)"; }
    public List<String> top(List<RecentBehavior> before, int k) {
      Set<String> out = new LinkedHashSet<>(UserMostFrequent.rank(before, k));
      for (String p : popular) {
        if (out.size() >= k) break;
        out.add(p);
      }
      return List.copyOf(out);
    }
  }

  /** The user's own 10 most recent distinct categories. */
  record UserRecent() implements CategoryBaseline {
    public String key() { return "userRecent"; }
    public String title() { return "user's own 10 most recent categories"; }
    public List<String> top(List<RecentBehavior> before, int k) {
      Set<String> out = new LinkedHashSet<>();
      for (int i = before.size() - 1; i >= 0 && out.size() < k; i--)
        if (before.get(i).categoryId() != null) out.add(before.get(i).categoryId());
      return List.copyOf(out);
    }
  }
}
