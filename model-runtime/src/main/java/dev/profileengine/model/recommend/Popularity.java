package dev.profileengine.model.recommend;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.profileengine.model.ModelLoadException;
import dev.profileengine.profile.RecentBehavior;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Global category popularity of a model version ({@code popularity.json} in its directory): the
 * top-N categories of the training history by share of all categorized history events, most
 * popular first (ties: id ascending).
 *
 * @param source training file name (not path), null for in-memory data
 * @param sourceSha256 hex SHA-256 of the training file, null for in-memory data
 * @param split the split whose history part was counted
 * @param events categorized history events counted (the denominator of every share)
 * @param categories the top-N, best first
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Popularity(String source, String sourceSha256, String split, long events, List<Share> categories) {
  /** File name inside a model version directory. */
  public static final String FILE = "popularity.json";
  /** How many categories training keeps. */
  public static final int DEFAULT_TOP = 200;

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final Popularity EMPTY = new Popularity(null, null, null, 0, List.of());

  /** A category and its share of the counted events (0..1). */
  public record Share(String id, double share) {}

  public Popularity {
    categories = categories == null ? List.of() : List.copyOf(categories);
  }

  /** No popularity (a version without {@code popularity.json}): contributes nothing. */
  public static Popularity empty() {
    return EMPTY;
  }

  /** Counts the categories of {@code history} (e.g. each user's history part) and keeps the top {@code top}. */
  public static Popularity fit(Collection<List<RecentBehavior>> history, int top, String source, String sourceSha256, String split) {
    if (top < 0) throw new IllegalArgumentException("top must not be negative");
    Map<String, Long> counts = new HashMap<>();
    long events = 0;
    for (List<RecentBehavior> s : history)
      for (RecentBehavior b : s)
        if (b.categoryId() != null) {
          counts.merge(b.categoryId(), 1L, Long::sum);
          events++;
        }
    long total = events;
    List<Share> shares = counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .limit(top).map(e -> new Share(e.getKey(), (double) e.getValue() / total)).toList();
    return new Popularity(source, sourceSha256, split, events, shares);
  }

  @JsonIgnore
  public boolean isEmpty() {
    return categories.isEmpty();
  }

  /** Category id -> share, best first. */
  public Map<String, Double> shares() {
    Map<String, Double> m = new LinkedHashMap<>();
    for (Share s : categories) m.putIfAbsent(s.id(), s.share());
    return Collections.unmodifiableMap(m);
  }

  /** The ids of the best {@code k}. */
  public List<String> top(int k) {
    return categories.stream().limit(Math.max(0, k)).map(Share::id).toList();
  }

  /** Writes {@code file} atomically (temporary file, then move). */
  public void write(Path file) {
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, FILE, ".tmp");
      JSON.writeValue(tmp.toFile(), this);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new ModelLoadException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  /** Reads a popularity file; a missing or unreadable file fails. */
  public static Popularity read(Path file) {
    try {
      return JSON.readValue(file.toFile(), Popularity.class);
    } catch (IOException e) {
      throw new ModelLoadException("cannot read popularity " + file + ": " + e.getMessage(), e);
    }
  }

  /** {@code popularity.json} of a version directory, or {@link #empty()} when it has none. */
  public static Popularity readOrEmpty(Path versionDir) {
    Path f = versionDir.resolve(FILE);
    return Files.isRegularFile(f) ? read(f) : empty();
  }
}
