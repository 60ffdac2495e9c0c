package dev.profileengine.bench;

import dev.profileengine.model.inference.InferencePool;
import dev.profileengine.model.inference.ModelLoader;
import dev.profileengine.model.inference.PoolConfig;
import dev.profileengine.model.inference.PoolStats;
import dev.profileengine.model.registry.ModelRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Native-memory leak check of the inference pool: pushes {@code predictions} (default 1,000,000)
 * real-user requests through an {@link InferencePool} on the default model (closed loop of
 * {@code outstanding} in flight) and prints the process RSS ({@code VmRSS} of /proc/self/status)
 * after a warm-up, every {@code every} predictions, and at the end. Every NDArray of a batch lives
 * in that batch's NDManager, which DJL closes when the forward pass returns: if one escaped, RSS
 * would climb with the count (a 64 x 50 batch allocates some hundreds of KB of tensors).
 *
 * <p>Run it with a fixed, pre-touched heap ({@code -Xms = -Xmx}, {@code -XX:+AlwaysPreTouch}, as
 * {@code load-tests/scripts/pool-rss.sh} does) so the Java heap's growth cannot pass for a native
 * leak. Exit code 1 when RSS grew by more than {@code maxGrowthMb} from the first to the last
 * checkpoint after warm-up.
 *
 * <pre>
 * load-tests/scripts/pool-rss.sh [--predictions 1000000] [--warmup 50000] [--every 100000] [--maxBatch 64] \
 *     [--delayMs 2] [--workers <cores>] [--outstanding 256] [--maxGrowthMb 64]
 * </pre>
 */
public final class PoolRssCheck {

  public static void main(String[] args) throws Exception {
    Map<String, String> a = PoolLatencyProbe.parse(args);
    long predictions = Long.parseLong(a.getOrDefault("predictions", "1000000"));
    long warmup = Long.parseLong(a.getOrDefault("warmup", "50000"));
    long every = Long.parseLong(a.getOrDefault("every", "100000"));
    int maxBatch = Integer.parseInt(a.getOrDefault("maxBatch", "64"));
    int delayMs = Integer.parseInt(a.getOrDefault("delayMs", "2"));
    int workers = Integer.parseInt(a.getOrDefault("workers", Integer.toString(Runtime.getRuntime().availableProcessors())));
    int outstanding = Integer.parseInt(a.getOrDefault("outstanding", "256"));
    long maxGrowthMb = Long.parseLong(a.getOrDefault("maxGrowthMb", "64"));

    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    System.out.printf(Locale.ROOT, "%s: %d cpus, load average %s, max heap %d MB, RSS at start %,d kB%n", Instant.now(),
        Runtime.getRuntime().availableProcessors(), PoolLatencyProbe.loadAvg(), Runtime.getRuntime().maxMemory() >> 20,
        PoolBenchData.rssKb());
    List<PoolBenchData.Context> users = PoolBenchData.load();
    PoolConfig config = PoolBenchData.poolConfig(workers, maxBatch, delayMs, outstanding);
    try (InferencePool pool = new InferencePool(ModelLoader.loadDefault(), config)) {
      System.out.printf(Locale.ROOT, "model %s, %s, %d outstanding, %d users; RSS after model load %,d kB%n", pool.modelVersion(), config,
          outstanding, users.size(), PoolBenchData.rssKb());
      Semaphore inFlight = new Semaphore(outstanding);
      LongAdder failed = new LongAdder();
      System.out.printf("%12s %10s %12s %12s %12s %10s %10s%n", "predictions", "seconds", "VmRSS kB", "RssAnon kB", "vs warm kB", "heap MB", "pred/s");
      long t0 = System.nanoTime();
      long tPrev = t0;
      long nPrev = 0;
      long warmRss = -1;
      long lastRss = -1;
      long peakRss = 0;
      long total = warmup + predictions;
      for (long n = 0; n <= total; n++) {
        boolean checkpoint = n == warmup || (n > warmup && (n - warmup) % every == 0);
        if (checkpoint) {
          inFlight.acquire(outstanding); // quiesce: everything sent so far has completed
          System.gc(); // heap figures comparable; RSS is measured either way
          long rss = PoolBenchData.rssKb();
          if (n == warmup) warmRss = rss;
          lastRss = rss;
          peakRss = Math.max(peakRss, rss);
          long now = System.nanoTime();
          System.out.printf(Locale.ROOT, "%12d %10.1f %,12d %,12d %+,12d %10d %,10.0f%n", n - warmup, (now - t0) / 1e9, rss,
              PoolBenchData.statusKb("RssAnon:"), rss - warmRss, mem.getHeapMemoryUsage().getUsed() >> 20,
              n == nPrev ? 0.0 : (n - nPrev) / ((now - tPrev) / 1e9));
          tPrev = now;
          nPrev = n;
          inFlight.release(outstanding);
        }
        if (n == total) break;
        inFlight.acquire();
        PoolBenchData.Context u = users.get((int) (n % users.size()));
        pool.predict(u.userId(), u.recent()).whenComplete((r, e) -> {
          if (e != null) failed.increment();
          inFlight.release();
        });
      }
      if (!inFlight.tryAcquire(outstanding, 60, TimeUnit.SECONDS)) throw new IllegalStateException("requests did not complete");
      PoolStats s = pool.stats();
      long growth = lastRss - warmRss;
      System.out.printf(Locale.ROOT, "%nafter %,d predictions (+%,d warm-up): RSS %,d kB -> %,d kB (%+,d kB, %+.2f%%), peak %,d kB; "
              + "completed %,d, failed %d, rejected %d, mean batch %.1f; load average %s%n",
          predictions, warmup, warmRss, lastRss, growth, 100.0 * growth / warmRss, peakRss, s.completed(), s.failed() + failed.sum(),
          s.rejected(), s.meanBatchSize(), PoolLatencyProbe.loadAvg());
      boolean flat = growth <= maxGrowthMb * 1024;
      System.out.println(flat ? "RSS FLAT (growth <= " + maxGrowthMb + " MB)" : "RSS GREW by more than " + maxGrowthMb + " MB: possible native leak");
      if (!flat || failed.sum() > 0) System.exit(1);
    }
  }
}
