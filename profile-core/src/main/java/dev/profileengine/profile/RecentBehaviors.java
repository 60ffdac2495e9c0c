package dev.profileengine.profile;

import java.util.ArrayList;
import java.util.List;

/**
 * The most recent behaviors in event-time order (oldest first), at most {@code capacity}: the
 * sequence the next-behavior model reads. A late event is inserted in its place; equal times keep
 * arrival order.
 */
public record RecentBehaviors(List<RecentBehavior> items) {

  // Shared by every empty profile (each live entity also keeps its empty state): copy-on-write.
  private static final RecentBehaviors EMPTY = new RecentBehaviors(List.of());

  public static RecentBehaviors empty() {
    return EMPTY;
  }

  public RecentBehaviors add(RecentBehavior b, int capacity) {
    int at = items.size();
    while (at > 0 && items.get(at - 1).epochMillis() > b.epochMillis()) at--;
    if (at == 0 && items.size() >= capacity) return this; // older than everything kept
    List<RecentBehavior> next = new ArrayList<>(Math.min(items.size() + 1, capacity + 1));
    next.addAll(items);
    next.add(at, b);
    while (next.size() > capacity) next.remove(0);
    return new RecentBehaviors(List.copyOf(next));
  }
}
