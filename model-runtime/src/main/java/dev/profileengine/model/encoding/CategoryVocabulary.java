package dev.profileengine.model.encoding;

import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Category ids to tokens. Token 0 is padding, 1 the out-of-vocabulary bucket, 2 "no category"
 * (e.g. a search); known categories follow from 3 in order of training frequency (ties by id),
 * so the vocabulary is a pure function of the training data.
 */
public final class CategoryVocabulary {
  public static final int PAD = 0;
  public static final int OOV = 1;
  public static final int NONE = 2;
  public static final int FIRST = 3;

  private final List<String> categories;
  private final Map<String, Integer> index;

  public CategoryVocabulary(List<String> categoriesByToken) {
    this.categories = List.copyOf(categoriesByToken);
    this.index = new HashMap<>(categories.size() * 2);
    for (int i = 0; i < categories.size(); i++) {
      if (index.put(categories.get(i), FIRST + i) != null)
        throw new IllegalArgumentException("duplicate category " + categories.get(i));
    }
  }

  /** Categories seen at least {@code minCount} times, most frequent first, at most {@code maxSize}. */
  public static CategoryVocabulary build(Iterable<String> observedCategories, int minCount, int maxSize) {
    Map<String, Integer> counts = new HashMap<>();
    for (String c : observedCategories) if (c != null) counts.merge(c, 1, Integer::sum);
    List<String> kept = counts.entrySet().stream()
        .filter(e -> e.getValue() >= minCount)
        .sorted(Comparator.<Map.Entry<String, Integer>>comparingInt(Map.Entry::getValue).reversed()
            .thenComparing(Map.Entry::getKey))
        .limit(maxSize)
        .map(Map.Entry::getKey)
        .toList();
    return new CategoryVocabulary(kept);
  }

  public int token(String categoryId) {
    if (categoryId == null) return NONE;
    Integer t = index.get(categoryId);
    return t == null ? OOV : t;
  }

  /** The category of a token, or null for pad/OOV/none. */
  public String category(int token) {
    int i = token - FIRST;
    return i >= 0 && i < categories.size() ? categories.get(i) : null;
  }

  /** Number of tokens including the three reserved ones. */
  public int tokenCount() {
    return FIRST + categories.size();
  }

  public List<String> categories() {
    return Collections.unmodifiableList(categories);
  }
}
