package dev.profileengine.profile;

import java.util.Arrays;
import java.util.Objects;

/**
 * What the next-behavior model reads of a user's whole behavior history, in bounded counters, so a
 * profile that keeps only its last 50 behaviors serves the same summary features as an offline
 * fold over every earlier event. Immutable; {@link #with} folds one behavior.
 *
 * <p>Bounds: at most {@link BehaviorType#count()} type entries, their squared number of
 * transitions, and per-type counts of the {@link #CATEGORY_CAP} most recently seen categories
 * (least recently seen evicted first, in fold order: deterministic). A category that comes back
 * after its eviction counts from 0 again; offline folds the same way, so both agree.
 *
 * <p>Late events (time before {@link #latestMillis}, admitted within the allowed lateness): the
 * order-free parts stay exact (the event count, per-type counts, per-category counts, the last
 * time of each type as a maximum; the category is touched in fold order). The order-dependent
 * parts (transitions, last type and category, run lengths, session length) describe the in-order
 * stream and leave a late event out: re-deriving them would need the history they summarize.
 *
 * <p>Layout, compact because every profile carries one (the empty one is shared): counts are
 * packed as {@code key << 32 | count} (count saturating at 2^32 - 1), sorted by key.
 *
 * @param count behaviors folded
 * @param latestMillis time of the latest in-order behavior ({@code Long.MIN_VALUE} before the first)
 * @param lastType ordinal of the latest in-order behavior's type, -1 before the first
 * @param lastCategory category of the latest in-order behavior (null: none)
 * @param typeRun behaviors in the current run of {@code lastType}
 * @param categoryRun behaviors in the current run of {@code lastCategory} (0 when it is null)
 * @param sessionLength behaviors since the last gap of {@link #SESSION_GAP_MS} or more
 * @param types per type seen, ordinal order, pairs {@code (ordinal << 32 | count, last time)}
 * @param transitions {@code (from * 256 + to) << 32 | count}, previous type to next type
 * @param categories the kept categories, most recently seen first
 * @param categoryTypes per kept category (same index), {@code ordinal << 32 | count}
 */
public record BehaviorHistory(
    long count,
    long latestMillis,
    int lastType,
    String lastCategory,
    int typeRun,
    int categoryRun,
    int sessionLength,
    long[] types,
    long[] transitions,
    String[] categories,
    long[][] categoryTypes) {

  /** How many most recently seen categories keep their per-type counts. */
  public static final int CATEGORY_CAP = 64;
  /** A gap of this much or more starts a new session (as the model's summary features define it). */
  public static final long SESSION_GAP_MS = 30 * 60_000L;

  private static final long[] NO_LONGS = {};
  private static final String[] NO_STRINGS = {};
  private static final long[][] NO_ROWS = {};
  private static final long COUNT_MASK = 0xFFFF_FFFFL;
  private static final BehaviorHistory EMPTY =
      new BehaviorHistory(0, Long.MIN_VALUE, -1, null, 0, 0, 0, NO_LONGS, NO_LONGS, NO_STRINGS, NO_ROWS);

  public BehaviorHistory {
    types = types == null || types.length == 0 ? NO_LONGS : types;
    transitions = transitions == null || transitions.length == 0 ? NO_LONGS : transitions;
    categories = categories == null || categories.length == 0 ? NO_STRINGS : categories;
    categoryTypes = categoryTypes == null || categoryTypes.length == 0 ? NO_ROWS : categoryTypes;
    if (types.length % 2 != 0) throw new IllegalArgumentException("types holds (count, time) pairs");
    if (categories.length != categoryTypes.length) throw new IllegalArgumentException("one type row per category");
    if (categories.length > CATEGORY_CAP) throw new IllegalArgumentException("more than " + CATEGORY_CAP + " categories");
  }

  /** The history of a user with no behavior; one shared instance. */
  public static BehaviorHistory empty() {
    return EMPTY;
  }

  /** The fold of {@code behaviors} in the given order. */
  public static BehaviorHistory of(Iterable<RecentBehavior> behaviors) {
    BehaviorHistory h = EMPTY;
    for (RecentBehavior b : behaviors) h = h.with(b);
    return h;
  }

  /** This history with one more behavior; see the class comment for late ones. */
  public BehaviorHistory with(RecentBehavior b) {
    int type = b.type().ordinal();
    long t = b.epochMillis();
    String cat = b.categoryId();
    long[] nextTypes = withType(types, type, t);
    String[] nextCats = categories;
    long[][] nextCatTypes = categoryTypes;
    if (cat != null) {
      int at = indexOf(categories, cat);
      long[] row = increment(at < 0 ? NO_LONGS : categoryTypes[at], type);
      int kept = at >= 0 ? categories.length : Math.min(CATEGORY_CAP, categories.length + 1);
      nextCats = new String[kept];
      nextCatTypes = new long[kept][];
      nextCats[0] = cat;
      nextCatTypes[0] = row;
      for (int i = 0, j = 1; j < kept; i++) {
        if (i == at) continue;
        nextCats[j] = categories[i];
        nextCatTypes[j++] = categoryTypes[i];
      }
    }
    if (count > 0 && t < latestMillis) // late: only the order-free parts
      return new BehaviorHistory(count + 1, latestMillis, lastType, lastCategory, typeRun, categoryRun, sessionLength,
          nextTypes, transitions, nextCats, nextCatTypes);
    boolean first = count == 0;
    return new BehaviorHistory(
        count + 1,
        t,
        type,
        cat,
        !first && type == lastType ? typeRun + 1 : 1,
        cat == null ? 0 : !first && cat.equals(lastCategory) ? categoryRun + 1 : 1,
        !first && gapWithinSession(t - latestMillis) ? sessionLength + 1 : 1,
        nextTypes,
        first ? transitions : increment(transitions, lastType * 256 + type),
        nextCats,
        nextCatTypes);
  }

  /** Behaviors of type {@code t} folded. */
  public long typeCount(BehaviorType t) {
    for (int i = 0; i < types.length; i += 2) if ((int) (types[i] >>> 32) == t.ordinal()) return types[i] & COUNT_MASK;
    return 0;
  }

  /** Latest time of a behavior of type {@code t}, {@code Long.MIN_VALUE} when none. */
  public long lastMillis(BehaviorType t) {
    for (int i = 0; i < types.length; i += 2) if ((int) (types[i] >>> 32) == t.ordinal()) return types[i + 1];
    return Long.MIN_VALUE;
  }

  /** In-order transitions from {@code from} to {@code to}. */
  public long transitions(BehaviorType from, BehaviorType to) {
    return get(transitions, from.ordinal() * 256 + to.ordinal());
  }

  /** Behaviors of type {@code t} in {@code categoryId}, if it is among the kept categories (else 0). */
  public long categoryCount(String categoryId, BehaviorType t) {
    int at = categoryId == null ? -1 : indexOf(categories, categoryId);
    return at < 0 ? 0 : get(categoryTypes[at], t.ordinal());
  }

  /** The type of the latest in-order behavior, null before the first. */
  public BehaviorType lastBehaviorType() {
    return lastType < 0 ? null : BehaviorType.ofIndex(lastType);
  }

  /** A gap that overflowed (instants at the ends of the range) is negative: a new session. */
  private static boolean gapWithinSession(long gap) {
    return gap >= 0 && gap < SESSION_GAP_MS;
  }

  private static long[] withType(long[] types, int type, long t) {
    int i = 0;
    while (i < types.length && (int) (types[i] >>> 32) < type) i += 2;
    if (i < types.length && (int) (types[i] >>> 32) == type) {
      long[] next = types.clone();
      next[i] = bump(types[i]);
      next[i + 1] = Math.max(types[i + 1], t);
      return next;
    }
    long[] next = new long[types.length + 2];
    System.arraycopy(types, 0, next, 0, i);
    next[i] = ((long) type << 32) | 1;
    next[i + 1] = t;
    System.arraycopy(types, i, next, i + 2, types.length - i);
    return next;
  }

  private static long get(long[] packed, int key) {
    for (long e : packed) if ((int) (e >>> 32) == key) return e & COUNT_MASK;
    return 0;
  }

  private static long[] increment(long[] packed, int key) {
    int i = 0;
    while (i < packed.length && (int) (packed[i] >>> 32) < key) i++;
    if (i < packed.length && (int) (packed[i] >>> 32) == key) {
      long[] next = packed.clone();
      next[i] = bump(packed[i]);
      return next;
    }
    long[] next = new long[packed.length + 1];
    System.arraycopy(packed, 0, next, 0, i);
    next[i] = ((long) key << 32) | 1;
    System.arraycopy(packed, i, next, i + 1, packed.length - i);
    return next;
  }

  private static long bump(long entry) {
    return (entry & COUNT_MASK) == COUNT_MASK ? entry : entry + 1;
  }

  private static int indexOf(String[] values, String v) {
    for (int i = 0; i < values.length; i++) if (values[i].equals(v)) return i;
    return -1;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BehaviorHistory h && count == h.count && latestMillis == h.latestMillis && lastType == h.lastType
        && Objects.equals(lastCategory, h.lastCategory) && typeRun == h.typeRun && categoryRun == h.categoryRun
        && sessionLength == h.sessionLength && Arrays.equals(types, h.types) && Arrays.equals(transitions, h.transitions)
        && Arrays.equals(categories, h.categories) && Arrays.deepEquals(categoryTypes, h.categoryTypes);
  }

  @Override
  public int hashCode() {
    return Objects.hash(count, latestMillis, lastType, lastCategory, typeRun, categoryRun, sessionLength,
        Arrays.hashCode(types), Arrays.hashCode(transitions), Arrays.hashCode(categories), Arrays.deepHashCode(categoryTypes));
  }

  @Override
  public String toString() {
    return "BehaviorHistory[count=" + count + ", latestMillis=" + latestMillis + ", lastType=" + lastType
        + ", lastCategory=" + lastCategory + ", typeRun=" + typeRun + ", categoryRun=" + categoryRun
        + ", sessionLength=" + sessionLength + ", types=" + Arrays.toString(types) + ", transitions="
        + Arrays.toString(transitions) + ", categories=" + Arrays.toString(categories) + ", categoryTypes="
        + Arrays.deepToString(categoryTypes) + "]";
  }
}
