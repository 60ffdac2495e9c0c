package dev.profileengine.load;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.profileengine.data.BehaviorRow;
import dev.profileengine.data.TaobaoCsv;
import dev.profileengine.gateway.replay.Replayer;
import dev.profileengine.gateway.wire.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Taobao CSV prepared for replay: rows in event-time order (as the replay CLI sends them, with
 * the same deterministic event ids, so the engine deduplicates across tools and runs), cut into
 * request bodies of {@code batch} events. Loaded once per (file, batch) and shared.
 */
public final class ReplayData {
  /** One request body and the users it touches. */
  public record Batch(int index, byte[] body, int events, String[] users) {}

  private static final Map<String, ReplayData> CACHE = new ConcurrentHashMap<>();

  private final Path file;
  private final List<Batch> batches;
  private final List<String> usersInTimeOrder;
  private final List<BehaviorRow> rows;

  private ReplayData(Path file, int batchSize) {
    this.file = file;
    AtomicLong bad = new AtomicLong();
    this.rows = TaobaoCsv.readSortedByTime(file, b -> bad.incrementAndGet());
    if (rows.isEmpty()) throw new IllegalStateException("no readable rows in " + file);
    List<Batch> bs = new ArrayList<>();
    for (int from = 0, i = 0; from < rows.size(); from += batchSize, i++) {
      List<BehaviorRow> slice = rows.subList(from, Math.min(rows.size(), from + batchSize));
      ArrayNode body = Json.MAPPER.createArrayNode();
      slice.forEach(r -> body.add(Replayer.toJson(r)));
      bs.add(new Batch(i, Json.bytes(body), slice.size(), slice.stream().map(BehaviorRow::userId).distinct().toArray(String[]::new)));
    }
    this.batches = List.copyOf(bs);
    LinkedHashSet<String> users = new LinkedHashSet<>();
    rows.forEach(r -> users.add(r.userId()));
    this.usersInTimeOrder = List.copyOf(users);
    System.out.printf("replay data: %,d rows (%,d unreadable skipped), %,d users, %,d batches of %d from %s%n",
        rows.size(), bad.get(), users.size(), batches.size(), batchSize, file);
  }

  public static ReplayData of(Path file, int batchSize) {
    if (batchSize < 1 || batchSize > 1000) throw new IllegalArgumentException("batch must be 1..1000 (the gateway's limit), was " + batchSize);
    return CACHE.computeIfAbsent(file.toAbsolutePath().normalize() + "#" + batchSize, k -> new ReplayData(file, batchSize));
  }

  public List<Batch> batches() {
    return batches;
  }

  /** Distinct users of the first {@code maxRows} rows, in order of their first event. */
  public List<String> users(int maxRows) {
    if (maxRows >= rows.size()) return usersInTimeOrder;
    LinkedHashSet<String> users = new LinkedHashSet<>();
    rows.subList(0, maxRows).forEach(r -> users.add(r.userId()));
    return List.copyOf(users);
  }

  /**
   * Batches in file order from batch {@code from}, forever: after the last one the file starts
   * again with {@code lap} incremented. A second lap re-sends stored events, which the engine must
   * not count twice.
   */
  public Iterator<Map<String, Object>> batchFeeder(int from) {
    if (from < 0 || from >= batches.size()) throw new IllegalArgumentException("from must be 0.." + (batches.size() - 1) + ", was " + from);
    AtomicLong next = new AtomicLong(from);
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public Map<String, Object> next() {
        long n = next.getAndIncrement();
        Batch b = batches.get((int) (n % batches.size()));
        return Map.of("batch", b, "batchIndex", b.index(), "events", b.events(), "lap", (int) (n / batches.size()));
      }
    };
  }

  /** Uniformly random users from {@code users}, forever. */
  public static Iterator<Map<String, Object>> randomUsers(List<String> users) {
    if (users.isEmpty()) throw new IllegalArgumentException("no users to read");
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public Map<String, Object> next() {
        return Map.of("userId", users.get(ThreadLocalRandom.current().nextInt(users.size())));
      }
    };
  }

  public Path file() {
    return file;
  }
}
