package dev.profileengine.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Segment membership seen two ways over HTTP: each profile's own ({@code segments} of
 * {@code GET /v1/profiles/{id}}), and the segment read side ({@code GET /v1/segments/{id}/members},
 * every page), the latter turned into user -> segments so the two compare as maps.
 */
final class SegmentMembership {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private SegmentMembership() {}

  /** Each user's segments by its profile (users with none included, with an empty set). */
  static Map<String, Set<String>> byProfiles(String baseUrl, Collection<String> users) {
    Map<String, Set<String>> m = new TreeMap<>();
    for (String u : users) {
      Http.Response r = Http.get(baseUrl + "/v1/profiles/" + URLEncoder.encode(u, StandardCharsets.UTF_8), TIMEOUT);
      JsonNode j = r.ok() ? r.json() : null;
      if (j == null || !j.has("segments")) throw new IllegalStateException("profile " + u + ": " + r.status() + " " + r.body());
      Set<String> s = new TreeSet<>();
      j.get("segments").forEach(x -> s.add(x.asText()));
      m.put(u, s);
    }
    return m;
  }

  /** Each of {@code users}' segments by the read side (users it lists in none: an empty set). */
  static Map<String, Set<String>> byReadSide(String baseUrl, Collection<String> users) {
    Map<String, Set<String>> m = new TreeMap<>();
    for (String u : users) m.put(u, new TreeSet<>());
    for (String segment : segments(baseUrl)) {
      for (String u : members(baseUrl, segment)) m.computeIfAbsent(u, k -> new TreeSet<>()).add(segment);
    }
    return m;
  }

  private static List<String> segments(String baseUrl) {
    Http.Response r = Http.get(baseUrl + "/v1/segments", TIMEOUT);
    JsonNode j = r.ok() ? r.json() : null;
    if (j == null) throw new IllegalStateException("GET /v1/segments: " + r.status() + " " + r.body());
    List<String> ids = new ArrayList<>();
    j.path("segments").forEach(s -> ids.add(s.path("id").asText()));
    return ids;
  }

  private static List<String> members(String baseUrl, String segment) {
    List<String> all = new ArrayList<>();
    String after = null;
    do {
      Http.Response r = Http.get(baseUrl + "/v1/segments/" + segment + "/members?limit=1000"
          + (after == null ? "" : "&after=" + URLEncoder.encode(after, StandardCharsets.UTF_8)), TIMEOUT);
      JsonNode page = r.ok() ? r.json() : null;
      if (page == null) throw new IllegalStateException("members of " + segment + ": " + r.status() + " " + r.body());
      page.path("members").forEach(x -> all.add(x.path("userId").asText()));
      after = page.hasNonNull("next") ? page.get("next").asText() : null;
    } while (after != null);
    if (new TreeSet<>(all).size() != all.size()) throw new AssertionError(segment + " lists a member twice: " + all);
    return all;
  }
}
