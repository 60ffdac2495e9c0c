package dev.profileengine.model.eval;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Next-category metrics: HitRate@K per predicted event (the next category is in the top-K list
 * made just before it) and Recall@K per user (share of the user's distinct held-out categories
 * covered by the list made at the split, averaged over users).
 */
public final class CategoryMetrics {
  private long events;
  private long hits;
  private int users;
  private double recallSum;

  public void addEvent(List<String> topK, String actual) {
    events++;
    if (actual != null && topK.contains(actual)) hits++;
  }

  public void addUser(List<String> topKAtSplit, Set<String> heldOutCategories) {
    if (heldOutCategories.isEmpty()) return;
    Set<String> top = new HashSet<>(topKAtSplit);
    long covered = heldOutCategories.stream().filter(top::contains).count();
    recallSum += (double) covered / heldOutCategories.size();
    users++;
  }

  /** Adds {@code times} copies of another accumulator (a bootstrap draw of one user). */
  public void addAll(CategoryMetrics other, int times) {
    events += times * other.events;
    hits += times * other.hits;
    users += times * other.users;
    recallSum += times * other.recallSum;
  }

  public double hitRate() {
    return events == 0 ? Double.NaN : (double) hits / events;
  }

  public double userRecall() {
    return users == 0 ? Double.NaN : recallSum / users;
  }
}
