package dev.profileengine.profile;

import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A prediction's next categories as two arrays (ids, probabilities) instead of a list of objects,
 * with the ids shared between profiles: every live profile holds ten, and most profiles name the
 * same few thousand categories. Immutable; {@link #get} makes the {@link ProfilePrediction.Category}.
 */
final class CategoryOdds extends AbstractList<ProfilePrediction.Category> implements RandomAccess {
  // Category ids seen, one String each; bounded, beyond which ids are kept as given.
  private static final int MAX_SHARED = 200_000;
  private static final ConcurrentHashMap<String, String> SHARED = new ConcurrentHashMap<>();

  private final String[] ids;
  private final double[] probabilities;

  private CategoryOdds(String[] ids, double[] probabilities) {
    this.ids = ids;
    this.probabilities = probabilities;
  }

  static List<ProfilePrediction.Category> of(List<ProfilePrediction.Category> categories) {
    if (categories == null || categories instanceof CategoryOdds) return categories;
    if (categories.isEmpty()) return List.of();
    String[] ids = new String[categories.size()];
    double[] probabilities = new double[ids.length];
    for (int i = 0; i < ids.length; i++) {
      ProfilePrediction.Category c = categories.get(i);
      if (c == null || c.id() == null) return List.copyOf(categories); // refused there, as before
      ids[i] = shared(c.id());
      probabilities[i] = c.probability();
    }
    return new CategoryOdds(ids, probabilities);
  }

  private static String shared(String id) {
    String known = SHARED.get(id);
    if (known != null) return known;
    if (SHARED.size() >= MAX_SHARED) return id;
    known = SHARED.putIfAbsent(id, id);
    return known != null ? known : id;
  }

  @Override
  public ProfilePrediction.Category get(int index) {
    return new ProfilePrediction.Category(ids[index], probabilities[index]);
  }

  @Override
  public int size() {
    return ids.length;
  }
}
