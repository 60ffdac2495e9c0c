package dev.profileengine.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Measures how long a set of users stays unserved: reads each user's profile through the routable
 * nodes in rounds (short timeouts) until every one of them has been read successfully once.
 */
final class AvailabilityProbe {
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(2);

  /** Seconds from {@code sinceNanos} to the first and to the last user served; -1 when not all were served in time. */
  record Outcome(int users, double firstServedSeconds, double allServedSeconds, int rounds, Set<String> neverServed) {}

  private AvailabilityProbe() {}

  static Outcome awaitServed(List<String> users, Supplier<List<String>> nodes, long sinceNanos, Duration timeout) throws InterruptedException {
    Set<String> pending = new LinkedHashSet<>(users);
    long deadline = sinceNanos + timeout.toNanos();
    double first = -1;
    int rounds = 0;
    AtomicInteger rr = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(16, Math.max(1, users.size())));
    try {
      while (!pending.isEmpty() && System.nanoTime() < deadline) {
        rounds++;
        List<String> urls = nodes.get();
        if (urls.isEmpty()) {
          Thread.sleep(200);
          continue;
        }
        List<CompletableFuture<String>> reads = new ArrayList<>();
        for (String u : pending) {
          String url = urls.get(Math.floorMod(rr.getAndIncrement(), urls.size()));
          reads.add(CompletableFuture.supplyAsync(() -> Http.get(url + "/v1/profiles/" + u, READ_TIMEOUT).ok() ? u : null, pool));
        }
        for (CompletableFuture<String> f : reads) {
          String served = f.join();
          if (served != null) {
            pending.remove(served);
            if (first < 0) first = (System.nanoTime() - sinceNanos) / 1e9;
          }
        }
        if (!pending.isEmpty()) Thread.sleep(250);
      }
    } finally {
      pool.shutdownNow();
    }
    double all = pending.isEmpty() ? (System.nanoTime() - sinceNanos) / 1e9 : -1;
    return new Outcome(users.size(), first, all, rounds, Set.copyOf(pending));
  }
}
