package dev.profileengine.profile;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * A prediction's probability per behavior type, kept as one array in {@link BehaviorType} order
 * instead of a hash map of boxed doubles: every live profile holds one, and the map cost about
 * 550 bytes of it. Immutable; iterates in type order, which is the order it was given in.
 */
final class BehaviorOdds extends AbstractMap<String, Double> {
  private static final BehaviorType[] TYPES = BehaviorType.values();

  private final double[] odds; // by type ordinal; present only where the bit of present is set
  private final int present;

  private BehaviorOdds(double[] odds, int present) {
    this.odds = odds;
    this.present = present;
  }

  /**
   * {@code map} as a compact map, when its keys are wire names of behavior types given in type
   * order (the model's output); otherwise an unmodifiable copy keeping its order.
   */
  static Map<String, Double> of(Map<String, Double> map) {
    if (map == null || map instanceof BehaviorOdds) return map;
    double[] odds = new double[TYPES.length];
    int present = 0;
    int last = -1;
    for (Map.Entry<String, Double> e : map.entrySet()) {
      BehaviorType t = typeOf(e.getKey());
      if (t == null || t.ordinal() <= last || e.getValue() == null) return java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(map));
      last = t.ordinal();
      odds[last] = e.getValue();
      present |= 1 << last;
    }
    return new BehaviorOdds(odds, present);
  }

  /** The type whose wire name is exactly {@code name}, or null. */
  private static BehaviorType typeOf(String name) {
    for (BehaviorType t : TYPES) if (t.wire().equals(name)) return t;
    return null;
  }

  @Override
  public Double get(Object key) {
    if (!(key instanceof String s)) return null;
    BehaviorType t = typeOf(s);
    return t == null || (present & (1 << t.ordinal())) == 0 ? null : odds[t.ordinal()];
  }

  @Override
  public boolean containsKey(Object key) {
    return get(key) != null;
  }

  @Override
  public int size() {
    return Integer.bitCount(present);
  }

  @Override
  public Set<Entry<String, Double>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public Iterator<Entry<String, Double>> iterator() {
        return new Iterator<>() {
          private int next = advance(0);

          private int advance(int from) {
            int i = from;
            while (i < TYPES.length && (present & (1 << i)) == 0) i++;
            return i;
          }

          @Override
          public boolean hasNext() {
            return next < TYPES.length;
          }

          @Override
          public Entry<String, Double> next() {
            if (!hasNext()) throw new NoSuchElementException();
            int i = next;
            next = advance(i + 1);
            return new SimpleImmutableEntry<>(TYPES[i].wire(), odds[i]);
          }
        };
      }

      @Override
      public int size() {
        return BehaviorOdds.this.size();
      }
    };
  }
}
