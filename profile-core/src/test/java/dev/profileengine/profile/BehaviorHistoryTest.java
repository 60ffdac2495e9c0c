package dev.profileengine.profile;

import static dev.profileengine.profile.BehaviorType.CART;
import static dev.profileengine.profile.BehaviorType.PURCHASE;
import static dev.profileengine.profile.BehaviorType.SEARCH;
import static dev.profileengine.profile.BehaviorType.VIEW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/** The bounded history counters against a direct computation over the whole sequence. */
class BehaviorHistoryTest {
  private static final long MIN = 60_000L;

  @Test
  void theFoldOfARealUsersSequenceEqualsTheCountsOfTheWholeSequence() throws IOException {
    Map<String, List<RecentBehavior>> users = taobaoUsers();
    List<String> longest = users.keySet().stream()
        .sorted(Comparator.comparingInt((String u) -> -users.get(u).size()).thenComparing(u -> u)).limit(5).toList();
    assertTrue(users.get(longest.get(0)).size() > 500, "a user with a long history");
    for (String u : longest) {
      List<RecentBehavior> seq = users.get(u);
      BehaviorHistory h = BehaviorHistory.of(seq);
      assertEquals(direct(seq), h, u);
      for (int n = 1; n <= seq.size(); n += 97) assertEquals(direct(seq.subList(0, n)), BehaviorHistory.of(seq.subList(0, n)), u + " prefix " + n);
    }
  }

  @Test
  void staysBoundedForALongHistory() {
    Random r = new Random(7);
    BehaviorHistory h = BehaviorHistory.empty();
    List<RecentBehavior> seq = new ArrayList<>();
    long t = 0;
    for (int i = 0; i < 100_000; i++) {
      t += r.nextInt(3_600_000);
      RecentBehavior b = new RecentBehavior(BehaviorType.ofIndex(r.nextInt(BehaviorType.count())),
          r.nextInt(10) == 0 ? null : "c" + r.nextInt(1_000), t);
      seq.add(b);
      h = h.with(b);
    }
    assertEquals(100_000, h.count());
    assertEquals(BehaviorHistory.CATEGORY_CAP, h.categories().length);
    assertTrue(h.transitions().length <= BehaviorType.count() * BehaviorType.count());
    assertEquals(2 * BehaviorType.count(), h.types().length);
    for (long[] row : h.categoryTypes()) assertTrue(row.length <= BehaviorType.count());
    assertEquals(direct(seq), h);
  }

  @Test
  void countsRunsAndSessionsOfAShortSequence() {
    BehaviorHistory h = BehaviorHistory.of(List.of(b(VIEW, "a", 0), b(VIEW, "a", MIN), b(CART, "a", 2 * MIN),
        b(SEARCH, null, 3 * MIN), b(VIEW, "b", 60 * MIN), b(VIEW, "b", 61 * MIN)));
    assertEquals(6, h.count());
    assertEquals(4, h.typeCount(VIEW));
    assertEquals(1, h.typeCount(CART));
    assertEquals(0, h.typeCount(PURCHASE));
    assertEquals(61 * MIN, h.lastMillis(VIEW));
    assertEquals(Long.MIN_VALUE, h.lastMillis(PURCHASE));
    assertEquals(1, h.transitions(VIEW, CART));
    assertEquals(2, h.transitions(VIEW, VIEW));
    assertEquals(1, h.transitions(SEARCH, VIEW));
    assertEquals(2, h.typeRun());
    assertEquals(2, h.categoryRun());
    assertEquals(2, h.sessionLength(), "a 57 minute gap starts a session");
    assertEquals(2, h.categoryCount("a", VIEW));
    assertEquals(1, h.categoryCount("a", CART));
    assertEquals(2, h.categoryCount("b", VIEW));
    assertEquals(List.of("b", "a"), List.of(h.categories()));
    assertEquals(VIEW, h.lastBehaviorType());
  }

  @Test
  void aLateBehaviorKeepsTheCountsExactAndLeavesTheOrderOfTheStreamAlone() {
    BehaviorHistory inOrder = BehaviorHistory.of(List.of(b(VIEW, "a", 0), b(VIEW, "a", 10 * MIN), b(VIEW, "a", 20 * MIN)));
    BehaviorHistory late = inOrder.with(b(PURCHASE, "z", 5 * MIN));
    BehaviorHistory sorted = BehaviorHistory.of(List.of(b(VIEW, "a", 0), b(PURCHASE, "z", 5 * MIN), b(VIEW, "a", 10 * MIN),
        b(VIEW, "a", 20 * MIN)));
    for (BehaviorType t : BehaviorType.values()) {
      assertEquals(sorted.typeCount(t), late.typeCount(t));
      assertEquals(sorted.lastMillis(t), late.lastMillis(t));
      assertEquals(sorted.categoryCount("z", t), late.categoryCount("z", t));
      assertEquals(sorted.categoryCount("a", t), late.categoryCount("a", t));
    }
    assertEquals(4, late.count());
    // Order-dependent parts: as if the late purchase had not been folded.
    assertEquals(inOrder.latestMillis(), late.latestMillis());
    assertEquals(inOrder.typeRun(), late.typeRun());
    assertEquals(inOrder.categoryRun(), late.categoryRun());
    assertEquals(inOrder.sessionLength(), late.sessionLength());
    assertEquals(0, late.transitions(VIEW, PURCHASE));
    assertEquals(2, late.transitions(VIEW, VIEW));
    assertEquals("a", late.lastCategory());
  }

  @Test
  void sharesTheEmptyInstanceAndComparesByValue() {
    assertSame(BehaviorHistory.empty(), BehaviorHistory.of(List.of()));
    assertSame(BehaviorHistory.empty(), ProfileState.empty("u").history());
    List<RecentBehavior> seq = List.of(b(VIEW, "a", 0), b(CART, "b", MIN));
    assertEquals(BehaviorHistory.of(seq), BehaviorHistory.of(new ArrayList<>(seq)));
    assertEquals(BehaviorHistory.of(seq).hashCode(), BehaviorHistory.of(seq).hashCode());
    assertNotEquals(BehaviorHistory.of(seq), BehaviorHistory.of(seq.subList(0, 1)));
  }

  @Test
  void theProfileFoldsEveryAppliedBehaviorBeyondItsRecentWindow() {
    ProfileSettings s = ProfileSettings.defaults();
    ProfileState p = ProfileState.empty("u1");
    List<RecentBehavior> seen = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      BehaviorEvent e = i % 7 == 0 ? Events.cart("e" + i, Events.T0.plusSeconds(30L * i)) : Events.view("e" + i, Events.T0.plusSeconds(30L * i), "c" + (i % 3));
      p = p.apply(e, s);
      seen.add(e.asRecent());
    }
    assertEquals(s.recentBehaviors(), p.recentBehaviors().size());
    assertEquals(BehaviorHistory.of(seen), p.historyCounters());
    assertEquals(p.history(), p.historyCounters(), "stored once the window dropped a behavior");
    assertEquals(120, p.history().count());
  }

  @Test
  void aProfileWhoseWindowHoldsEveryBehaviorStoresNoCounters() {
    ProfileSettings s = ProfileSettings.defaults();
    ProfileState p = ProfileState.empty("u1");
    List<RecentBehavior> seen = new ArrayList<>();
    for (int i = 0; i < s.recentBehaviors(); i++) {
      // every third one late (within the allowed lateness): the window sorts it in, nothing is dropped
      BehaviorEvent e = Events.view("e" + i, Events.T0.plusSeconds(60L * i - (i % 3 == 2 ? 90 : 0)), "c" + (i % 4));
      p = p.apply(e, s);
      seen.add(e.asRecent());
      assertSame(BehaviorHistory.empty(), p.history(), "no counters stored at " + (i + 1) + " behaviors");
    }
    assertEquals(BehaviorHistory.of(p.recentBehaviors()), p.historyCounters());
    seen.sort(Comparator.comparingLong(RecentBehavior::epochMillis));
    assertEquals(BehaviorHistory.of(seen), p.historyCounters());
    ProfileState more = p.apply(Events.cart("next", Events.T0.plusSeconds(3_600)), s);
    assertEquals(s.recentBehaviors() + 1, more.history().count(), "the first dropped behavior stores the counters");
    assertEquals(p.historyCounters().with(Events.cart("next", Events.T0.plusSeconds(3_600)).asRecent()), more.history());
  }

  /**
   * The same counters computed directly from the whole sequence, with an access-ordered map as the
   * least-recently-seen category set.
   */
  private static BehaviorHistory direct(List<RecentBehavior> seq) {
    int n = seq.size();
    if (n == 0) return BehaviorHistory.empty();
    RecentBehavior last = seq.get(n - 1);
    int typeRun = 0;
    for (int i = n - 1; i >= 0 && seq.get(i).type() == last.type(); i--) typeRun++;
    int catRun = 0;
    for (int i = n - 1; i >= 0 && last.categoryId() != null && last.categoryId().equals(seq.get(i).categoryId()); i--) catRun++;
    int session = 1;
    for (int i = n - 1; i > 0 && seq.get(i).epochMillis() - seq.get(i - 1).epochMillis() < BehaviorHistory.SESSION_GAP_MS; i--) session++;
    int k = BehaviorType.count();
    long[] counts = new long[k];
    long[] lastAt = new long[k];
    long[][] trans = new long[k][k];
    LinkedHashMap<String, long[]> lru = new LinkedHashMap<>(16, 0.75f, true);
    for (int i = 0; i < n; i++) {
      RecentBehavior b = seq.get(i);
      counts[b.type().ordinal()]++;
      lastAt[b.type().ordinal()] = b.epochMillis();
      if (i > 0) trans[seq.get(i - 1).type().ordinal()][b.type().ordinal()]++;
      if (b.categoryId() != null) {
        lru.computeIfAbsent(b.categoryId(), c -> new long[k])[b.type().ordinal()]++;
        if (lru.size() > BehaviorHistory.CATEGORY_CAP) lru.remove(lru.keySet().iterator().next());
      }
    }
    List<Long> types = new ArrayList<>();
    for (int t = 0; t < k; t++) if (counts[t] > 0) {
      types.add(((long) t << 32) | counts[t]);
      types.add(lastAt[t]);
    }
    List<Long> transitions = new ArrayList<>();
    for (int a = 0; a < k; a++) for (int b = 0; b < k; b++) if (trans[a][b] > 0) transitions.add(((long) (a * 256 + b) << 32) | trans[a][b]);
    List<String> cats = new ArrayList<>(lru.keySet());
    java.util.Collections.reverse(cats);
    long[][] rows = new long[cats.size()][];
    for (int c = 0; c < cats.size(); c++) {
      long[] perType = lru.get(cats.get(c));
      List<Long> row = new ArrayList<>();
      for (int t = 0; t < k; t++) if (perType[t] > 0) row.add(((long) t << 32) | perType[t]);
      rows[c] = row.stream().mapToLong(Long::longValue).toArray();
    }
    return new BehaviorHistory(n, last.epochMillis(), last.type().ordinal(), last.categoryId(), typeRun, catRun, session,
        types.stream().mapToLong(Long::longValue).toArray(), transitions.stream().mapToLong(Long::longValue).toArray(),
        cats.toArray(String[]::new), rows);
  }

  /** Users of the bundled Taobao sample, their behaviors in time order. */
  static Map<String, List<RecentBehavior>> taobaoUsers() throws IOException {
    Path file = Path.of(System.getProperty("profile.data.samples", "../samples")).resolve("taobao-userbehavior-users.csv.gz");
    Map<String, List<RecentBehavior>> users = new HashMap<>();
    try (BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(file)), StandardCharsets.UTF_8))) {
      for (String line; (line = in.readLine()) != null; ) {
        String[] f = line.split(",");
        BehaviorType type = f.length < 5 ? null : BehaviorType.fromTaobao(f[3]).orElse(null);
        if (type == null) continue;
        users.computeIfAbsent(f[0], u -> new ArrayList<>()).add(new RecentBehavior(type, f[2], Long.parseLong(f[4]) * 1000));
      }
    }
    users.values().forEach(l -> l.sort(Comparator.comparingLong(RecentBehavior::epochMillis)));
    return users;
  }

  private static RecentBehavior b(BehaviorType t, String category, long millis) {
    return new RecentBehavior(t, category, millis);
  }
}
