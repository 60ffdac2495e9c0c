package dev.profileengine.model.eval;

import dev.profileengine.model.dataset.BehaviorDataset;
import dev.profileengine.model.encoding.UserContext;
import dev.profileengine.model.recommend.CategoryScore;
import dev.profileengine.profile.BehaviorType;
import dev.profileengine.profile.RecentBehavior;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Seeded random users for the evaluation tests, and scorers that know (or deny) the answer. */
final class SyntheticUsers {
  static final BehaviorType[] TYPES = {BehaviorType.VIEW, BehaviorType.FAVORITE, BehaviorType.CART, BehaviorType.PURCHASE};

  private SyntheticUsers() {}

  /** {@code users} users of {@code length} events: mostly views, the rest spread, 25 categories each. */
  static Map<String, List<RecentBehavior>> users(int users, int length, long seed) {
    Random r = new Random(seed);
    Map<String, List<RecentBehavior>> out = new LinkedHashMap<>();
    for (int u = 0; u < users; u++) {
      List<RecentBehavior> s = new ArrayList<>();
      BehaviorType last = BehaviorType.VIEW;
      for (int i = 0; i < length; i++) {
        double x = r.nextDouble();
        // sticky: repeat the last type half of the time, else mostly views
        BehaviorType t = x < 0.5 ? last : x < 0.8 ? BehaviorType.VIEW : TYPES[1 + r.nextInt(3)];
        s.add(new RecentBehavior(t, "u" + u + "c" + r.nextInt(25), 1_000L * (u * 10_000L + i)));
        last = t;
      }
      out.put("user" + u, List.copyOf(s));
    }
    return out;
  }

  /**
   * A scorer that finds each context's true next event in {@code users} (contexts are prefixes of
   * the users' sequences): with {@code right} it puts 0.9 on the true type and ranks the true
   * category first; otherwise 0.9 on another type and no true category.
   */
  static BatchScorer oracle(Map<String, List<RecentBehavior>> users, boolean right, String title) {
    return new BatchScorer() {
      @Override
      public List<Scored> score(List<UserContext> contexts) {
        List<Scored> out = new ArrayList<>();
        for (UserContext c : contexts) {
          RecentBehavior next = nextOf(users, c.recent());
          int truth = next.type().ordinal();
          int target = right ? truth : (truth == BehaviorType.VIEW.ordinal() ? BehaviorType.CART.ordinal() : BehaviorType.VIEW.ordinal());
          double[] p = new double[BehaviorType.count()];
          for (BehaviorType t : TYPES) p[t.ordinal()] = 0.1 / (TYPES.length - 1);
          p[target] = 0.9;
          List<CategoryScore> cats = right ? List.of(new CategoryScore(next.categoryId(), 0.9)) : List.of(new CategoryScore("nowhere", 0.9));
          out.add(new Scored(p, BehaviorType.ofIndex(target), cats));
        }
        return out;
      }

      @Override
      public String title() {
        return title;
      }
    };
  }

  private static RecentBehavior nextOf(Map<String, List<RecentBehavior>> users, List<RecentBehavior> context) {
    for (List<RecentBehavior> s : users.values())
      if (s.size() > context.size() && s.get(0).equals(context.get(0)) && s.subList(0, context.size()).equals(context))
        return s.get(context.size());
    throw new IllegalArgumentException("not a prefix of a known user");
  }

  static BehaviorDataset dataset(Map<String, List<RecentBehavior>> users) {
    return BehaviorDataset.of(users);
  }
}
