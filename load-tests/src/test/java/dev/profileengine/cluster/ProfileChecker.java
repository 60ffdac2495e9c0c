package dev.profileengine.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profileengine.profile.BehaviorType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Reads every user's profile back through the cluster and compares its lifetime counts (and
 * {@code eventCount}) with the ledger's distinct acknowledged events: fewer is a lost event, more
 * is a doubled one.
 */
final class ProfileChecker {
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(15);
  private static final int ATTEMPTS = 6;

  record Result(int users, long expectedEvents, long lost, long doubled, List<String> mismatches, List<String> unreadable, double seconds) {
    boolean exact() {
      return lost == 0 && doubled == 0 && unreadable.isEmpty();
    }

    @Override
    public String toString() {
      return String.format("%,d users, %,d events expected: lost %d, doubled %d, unreadable profiles %d (checked in %.1f s)%s%s",
          users, expectedEvents, lost, doubled, unreadable.size(), seconds,
          mismatches.isEmpty() ? "" : "\n    mismatches (first 20): " + String.join("\n      ", mismatches.subList(0, Math.min(20, mismatches.size()))),
          unreadable.isEmpty() ? "" : "\n    unreadable (first 10): " + String.join("\n      ", unreadable.subList(0, Math.min(10, unreadable.size()))));
    }
  }

  private ProfileChecker() {}

  static Result check(Map<String, long[]> expected, Supplier<List<String>> nodes, int parallelism) throws InterruptedException {
    long start = System.nanoTime();
    LongAdder lost = new LongAdder();
    LongAdder doubled = new LongAdder();
    LongAdder expectedEvents = new LongAdder();
    List<String> mismatches = Collections.synchronizedList(new ArrayList<>());
    List<String> unreadable = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger rr = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(parallelism);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (Map.Entry<String, long[]> e : expected.entrySet()) {
        futures.add(pool.submit(() -> {
          String user = e.getKey();
          long[] want = e.getValue();
          long total = 0;
          for (long w : want) total += w;
          expectedEvents.add(total);
          JsonNode profile = read(user, nodes, rr, unreadable);
          if (profile == null) return null;
          JsonNode lifetime = profile.path("counts").path("lifetime");
          StringBuilder diff = new StringBuilder();
          for (BehaviorType t : BehaviorType.values()) {
            long got = lifetime.path(t.wire()).asLong(0);
            long w = want[t.ordinal()];
            if (got < w) lost.add(w - got);
            if (got > w) doubled.add(got - w);
            if (got != w) diff.append(' ').append(t.wire()).append(" expected ").append(w).append(" got ").append(got);
          }
          long count = profile.path("eventCount").asLong(-1);
          if (count != total) diff.append(" eventCount expected ").append(total).append(" got ").append(count);
          if (diff.length() > 0) mismatches.add(user + ":" + diff);
          return null;
        }));
      }
      for (Future<?> f : futures) {
        try {
          f.get();
        } catch (java.util.concurrent.ExecutionException ex) {
          throw new IllegalStateException(ex.getCause());
        }
      }
    } finally {
      pool.shutdownNow();
    }
    return new Result(expected.size(), expectedEvents.sum(), lost.sum(), doubled.sum(), List.copyOf(mismatches), List.copyOf(unreadable),
        (System.nanoTime() - start) / 1e9);
  }

  /** The profile JSON; a 404 is an empty profile; null (and a note) when no node answered in time. */
  private static JsonNode read(String user, Supplier<List<String>> nodes, AtomicInteger rr, List<String> unreadable) throws InterruptedException {
    String last = "";
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      if (attempt > 0) Thread.sleep(500L * attempt);
      List<String> urls = nodes.get();
      if (urls.isEmpty()) continue;
      String url = urls.get(Math.floorMod(rr.getAndIncrement(), urls.size()));
      Http.Response r = Http.get(url + "/v1/profiles/" + user, READ_TIMEOUT);
      if (r.status() == 404) return Http.JSON.createObjectNode();
      JsonNode json = r.ok() ? r.json() : null;
      if (json != null) return json;
      last = url + " -> " + r.status() + " " + r.body();
    }
    unreadable.add(user + ": " + last);
    return null;
  }
}
