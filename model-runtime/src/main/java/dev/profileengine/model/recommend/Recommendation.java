package dev.profileengine.model.recommend;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One recommended next category.
 *
 * @param categoryId the category
 * @param score the blended score: the sum of {@code parts}
 * @param reason the source contributing most to {@code score}: {@code model}, {@code interest} or
 *     {@code popular} (on equal contributions the first in that order)
 * @param parts each source's weighted, normalized contribution, keyed by source name, always all
 *     three in the order model, interest, popular (0 where the source has no score)
 */
public record Recommendation(String categoryId, double score, String reason, Map<String, Double> parts) {
  public Recommendation {
    parts = Collections.unmodifiableMap(new LinkedHashMap<>(parts));
  }
}
