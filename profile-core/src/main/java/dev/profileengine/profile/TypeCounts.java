package dev.profileengine.profile;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * Counts by behavior type, keyed by the type's wire name in {@link BehaviorType} order: one window
 * of the profile view's {@code counts}. A read-only map over one {@code long[]}, so rendering a
 * view builds no hash map and boxes nothing per window; the gateway writes it field by field.
 */
public final class TypeCounts extends AbstractMap<String, Long> {
  private final long[] counts;

  /** {@code counts} by type ordinal; the caller hands it over and never changes it again. */
  TypeCounts(long[] counts) {
    if (counts.length != BehaviorType.count()) throw new IllegalArgumentException("expected " + BehaviorType.count() + " counts, got " + counts.length);
    this.counts = counts;
  }

  /** The count of the type with this ordinal. */
  public long count(int ordinal) {
    return counts[ordinal];
  }

  @Override
  public int size() {
    return counts.length;
  }

  @Override
  public Long get(Object key) {
    int i = indexOf(key);
    return i < 0 ? null : counts[i];
  }

  @Override
  public boolean containsKey(Object key) {
    return indexOf(key) >= 0;
  }

  private static int indexOf(Object key) {
    if (!(key instanceof String name)) return -1;
    for (int i = 0; i < BehaviorType.count(); i++) if (BehaviorType.ofIndex(i).wire().equals(name)) return i;
    return -1;
  }

  @Override
  public Set<Entry<String, Long>> entrySet() {
    return new AbstractSet<>() {
      @Override
      public int size() {
        return counts.length;
      }

      @Override
      public Iterator<Entry<String, Long>> iterator() {
        return new Iterator<>() {
          private int next;

          @Override
          public boolean hasNext() {
            return next < counts.length;
          }

          @Override
          public Entry<String, Long> next() {
            if (next >= counts.length) throw new NoSuchElementException();
            int i = next++;
            return new SimpleImmutableEntry<>(BehaviorType.ofIndex(i).wire(), counts[i]);
          }
        };
      }
    };
  }
}
