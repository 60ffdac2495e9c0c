package dev.profileengine.bench;

import dev.profileengine.data.BehaviorRow;
import dev.profileengine.data.TaobaoCsv;
import dev.profileengine.model.inference.PoolConfig;
import dev.profileengine.model.inference.TorchThreads;
import dev.profileengine.profile.RecentBehavior;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Model inputs for the inference benchmarks, built from real rows of
 * {@code taobao-userbehavior-users.csv} (complete histories of 686 users): for every user with at
 * least {@value #RECENT} events, that user's last {@value #RECENT} behaviors, oldest first, as the
 * engine passes them to the pool (the profile keeps the 50 most recent behaviors).
 *
 * <p>Benchmarks cycle through these users so every call encodes a different real sequence; every
 * one fills the model's whole window (50), the dearest forward pass (a batch of shorter profiles
 * runs only as many steps as its longest: {@link PaddingCutBenchmark}).
 */
public final class PoolBenchData {
  public static final int RECENT = 50;

  /** One user's recent behaviors, oldest first. */
  public record Context(String userId, List<RecentBehavior> recent) {}

  private PoolBenchData() {}

  /**
   * The real users the pool benchmarks feed; also sizes PyTorch's threads as the engine does (one
   * per forward pass, {@code -Dai.djl.pytorch.num_threads} overrides), so call it before loading
   * the model.
   */
  public static List<Context> load() {
    TorchThreads.setIfUnset(1);
    Path file = SampleData.locate(System.getProperty("users"), SampleData.USERS);
    List<BehaviorRow> rows = TaobaoCsv.read(file, bad -> {});
    Map<String, List<BehaviorRow>> byUser = new LinkedHashMap<>();
    for (BehaviorRow r : rows) byUser.computeIfAbsent(r.userId(), u -> new ArrayList<>()).add(r);
    List<Context> out = new ArrayList<>();
    for (Map.Entry<String, List<BehaviorRow>> e : byUser.entrySet()) {
      List<BehaviorRow> h = e.getValue();
      if (h.size() < RECENT) continue;
      h.sort(Comparator.comparingLong(BehaviorRow::epochSecond));
      List<RecentBehavior> recent = new ArrayList<>(RECENT);
      for (BehaviorRow r : h.subList(h.size() - RECENT, h.size()))
        recent.add(new RecentBehavior(r.type(), r.categoryId(), r.epochSecond() * 1000L));
      out.add(new Context(e.getKey(), List.copyOf(recent)));
    }
    if (out.isEmpty()) throw new IllegalStateException("no user with " + RECENT + " events in " + file);
    return List.copyOf(out);
  }

  /** Resident set size of this process in kB ({@code VmRSS} of /proc/self/status), or -1 when unreadable. */
  /**
   * The pool configuration every pool benchmark uses: {@code workers} workers, batches closed at
   * {@code maxBatch} requests or {@code maxDelayMs}, and a queue that holds every request of
   * {@code outstanding} concurrent callers.
   */
  public static PoolConfig poolConfig(int workers, int maxBatch, int maxDelayMs, int outstanding) {
    return PoolConfig.defaults().withWorkers(workers).withQueueCapacity(Math.max(10_000, 2 * outstanding))
        .withBatch(maxBatch, Duration.ofMillis(maxDelayMs));
  }

  public static long rssKb() {
    return statusKb("VmRSS:");
  }

  /** A field of /proc/self/status in kB (e.g. {@code "RssAnon:"}), or -1. */
  public static long statusKb(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(field)) return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}
