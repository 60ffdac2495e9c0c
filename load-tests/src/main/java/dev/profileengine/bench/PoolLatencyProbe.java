package dev.profileengine.bench;

import dev.profileengine.model.encoding.UserContext;
import dev.profileengine.model.inference.BehaviorPredictor;
import dev.profileengine.model.inference.InferencePool;
import dev.profileengine.model.inference.ModelLoader;
import dev.profileengine.model.inference.NextBehaviorModel;
import dev.profileengine.model.inference.PoolConfig;
import dev.profileengine.model.inference.PoolStats;
import dev.profileengine.model.registry.ModelRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The pool's added latency at a fixed offered rate, with its own baseline, all in one JVM:
 *
 * <ol>
 *   <li><b>batch 1</b>: predictions/s of the model's worker called directly, one user per call, one
 *       thread (as {@code InferencePoolBenchmark.workerBatch1});
 *   <li><b>max</b>: predictions/s through the pool with a closed loop of {@code outstanding}
 *       requests in flight (the pool saturated);
 *   <li><b>open loop</b>: requests offered at a fixed rate of {@code fraction} x max for
 *       {@code seconds} (after a lead-in of {@code lead} seconds at the same rate, not counted),
 *       whatever the completions do (no coordinated omission: a slow batch does not slow the
 *       arrivals). Added latency = time from {@code predict()} to the completion of its stage
 *       (queue wait + batch wait + forward pass + output policy). Also reported from the
 *       <i>intended</i> send time, which adds the driver's own lag (it sleeps with
 *       {@code parkNanos} and then sends every request that has fallen due).
 * </ol>
 *
 * Inputs: real users' last 50 behaviors ({@link PoolBenchData}). Target of the issue: pool max
 * &gt;= 20 x batch 1 and p99 added latency &lt;= 10 ms at half the pool's max.
 *
 * <pre>
 * OPT_OUT_TRACKING=true java -Dai.djl.offline=true -Xms1g -Xmx1g -cp load-tests/target/benchmarks.jar \
 *     dev.profileengine.bench.PoolLatencyProbe [--maxBatch 64] [--delayMs 2] [--workers <cores>] \
 *     [--fractions 0.5] [--seconds 20] [--lead 3] [--warmup 5] [--probe 10] [--batch1 10] [--outstanding 256] \
 *     [--model DIR]
 * </pre>
 *
 * {@code --model} names a model version directory (e.g. one trained with {@code --encoder attention});
 * without it the model packaged in the jar is measured.
 */
public final class PoolLatencyProbe {

  public static void main(String[] args) throws Exception {
    Map<String, String> a = parse(args);
    int maxBatch = Integer.parseInt(a.getOrDefault("maxBatch", "64"));
    int delayMs = Integer.parseInt(a.getOrDefault("delayMs", "2"));
    int workers = Integer.parseInt(a.getOrDefault("workers", Integer.toString(Runtime.getRuntime().availableProcessors())));
    int outstanding = Integer.parseInt(a.getOrDefault("outstanding", "256"));
    double warmup = Double.parseDouble(a.getOrDefault("warmup", "5"));
    double probe = Double.parseDouble(a.getOrDefault("probe", "10"));
    double batch1Seconds = Double.parseDouble(a.getOrDefault("batch1", "10"));
    double seconds = Double.parseDouble(a.getOrDefault("seconds", "20"));
    double lead = Double.parseDouble(a.getOrDefault("lead", "3"));
    double[] fractions = Arrays.stream(a.getOrDefault("fractions", "0.5").split(",")).mapToDouble(Double::parseDouble).toArray();

    System.out.printf(Locale.ROOT, "%s: %d cpus, load average %s%n", Instant.now(), Runtime.getRuntime().availableProcessors(), loadAvg());
    List<PoolBenchData.Context> users = PoolBenchData.load();
    NextBehaviorModel model = a.containsKey("model") ? NextBehaviorModel.load(java.nio.file.Path.of(a.get("model"))) : ModelLoader.loadDefault();
    System.out.printf(Locale.ROOT, "model %s, %d users with >= %d behaviors%n", model.version(), users.size(), PoolBenchData.RECENT);

    // 1. batch 1, directly on a worker of the same model
    double batch1;
    try (BehaviorPredictor p = model.newPredictor()) {
      runDirect(p, users, warmup);
      batch1 = runDirect(p, users, batch1Seconds);
    }
    System.out.printf(Locale.ROOT, "batch 1 (worker called directly, 1 thread): %,.0f predictions/s (%.3f ms per call)%n", batch1, 1000 / batch1);

    PoolConfig config = PoolBenchData.poolConfig(workers, maxBatch, delayMs, outstanding);
    try (InferencePool pool = new InferencePool(model, config)) { // the pool closes the model
      // 2. saturated: closed loop
      closedLoop(pool, users, outstanding, warmup);
      PoolStats before = pool.stats();
      double max = closedLoop(pool, users, outstanding, probe);
      PoolStats after = pool.stats();
      System.out.printf(Locale.ROOT, "pool max (%s, closed loop of %d): %,.0f predictions/s, mean batch %.1f  =>  %.1f x batch 1%n",
          config, outstanding, max, meanBatch(before, after), max / batch1);

      // 3. open loop at fractions of max
      List<String> verdicts = new ArrayList<>();
      for (double f : fractions) {
        double rate = f * max;
        Result r = openLoop(pool, users, rate, lead, seconds);
        System.out.printf(Locale.ROOT,
            "open loop %.0f%% of max: offered %,.0f/s, completed %,.0f/s over %.0f s (%,d requests, %d rejected, %d failed), mean batch %.1f%n"
                + "  added latency from predict(): p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms%n"
                + "  from intended send time:      p50 %.2f ms, p99 %.2f ms, max %.2f ms (driver lag p99 %.2f ms)%n",
            f * 100, rate, r.completedRate, seconds, r.counted, r.rejected, r.failed, r.meanBatch,
            ms(r.fromCall, 0.50), ms(r.fromCall, 0.90), ms(r.fromCall, 0.99), ms(r.fromCall, 0.999), ms(r.fromCall, 1.0),
            ms(r.fromIntended, 0.50), ms(r.fromIntended, 0.99), ms(r.fromIntended, 1.0), ms(r.lag, 0.99));
        verdicts.add(String.format(Locale.ROOT, "p99 %.2f ms at %.0f%% of max (target <= 10 ms: %s)", ms(r.fromCall, 0.99), f * 100,
            ms(r.fromCall, 0.99) <= 10 ? "met" : "NOT met"));
      }
      System.out.printf(Locale.ROOT, "%nSUMMARY batch1 %,.0f/s, pool max %,.0f/s, ratio %.1fx (target >= 20x: %s); %s; load average now %s%n",
          batch1, max, max / batch1, max / batch1 >= 20 ? "met" : "NOT met", String.join("; ", verdicts), loadAvg());
    }
  }

  /** Predictions/s of one worker called with one user at a time for {@code seconds}. */
  static double runDirect(BehaviorPredictor p, List<PoolBenchData.Context> users, double seconds) {
    long end = System.nanoTime() + (long) (seconds * 1e9);
    long start = System.nanoTime();
    long n = 0;
    long now;
    do {
      UserContext u = UserContext.of(users.get((int) (n % users.size())).recent());
      if (p.predict(List.of(u)).size() != 1) throw new IllegalStateException("no prediction");
      n++;
    } while ((now = System.nanoTime()) < end);
    return n / ((now - start) / 1e9);
  }

  /** Completions/s with {@code outstanding} requests kept in flight for {@code seconds}. */
  static double closedLoop(InferencePool pool, List<PoolBenchData.Context> users, int outstanding, double seconds) throws InterruptedException {
    Semaphore inFlight = new Semaphore(outstanding);
    LongAdder done = new LongAdder();
    LongAdder failed = new LongAdder();
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    long n = 0;
    while (System.nanoTime() < end) {
      if (!inFlight.tryAcquire(10, TimeUnit.MILLISECONDS)) continue;
      PoolBenchData.Context u = users.get((int) (n++ % users.size()));
      pool.predict(u.userId(), u.recent()).whenComplete((r, e) -> {
        if (e != null) failed.increment();
        done.increment();
        inFlight.release();
      });
    }
    long completed = done.sum();
    double elapsed = (System.nanoTime() - start) / 1e9;
    if (!inFlight.tryAcquire(outstanding, 60, TimeUnit.SECONDS)) throw new IllegalStateException("requests did not complete");
    if (failed.sum() > 0) throw new IllegalStateException(failed.sum() + " predictions failed");
    return completed / elapsed;
  }

  record Result(int counted, double completedRate, long rejected, long failed, double meanBatch, long[] fromCall, long[] fromIntended, long[] lag) {}

  /** Offers {@code rate} requests/s for {@code lead + seconds}; statistics over the requests due after the lead-in. */
  static Result openLoop(InferencePool pool, List<PoolBenchData.Context> users, double rate, double lead, double seconds)
      throws InterruptedException {
    int total = (int) Math.ceil(rate * (lead + seconds));
    int skip = (int) Math.ceil(rate * lead);
    double period = 1e9 / rate;
    long[] intended = new long[total];
    long[] sent = new long[total];
    long[] done = new long[total];
    AtomicLong rejected = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    CountDownLatch all = new CountDownLatch(total);
    PoolStats before = null;
    long start = System.nanoTime() + 1_000_000;
    for (int i = 0; i < total; i++) {
      long due = start + (long) (i * period);
      long wait;
      while ((wait = due - System.nanoTime()) > 0) LockSupport.parkNanos(wait);
      if (i == skip) before = pool.stats();
      PoolBenchData.Context u = users.get(i % users.size());
      final int k = i;
      intended[k] = due;
      sent[k] = System.nanoTime();
      pool.predict(u.userId(), u.recent()).whenComplete((r, e) -> {
        done[k] = System.nanoTime();
        if (e != null) {
          if (e instanceof dev.profileengine.model.PoolRejectedException
              || e.getCause() instanceof dev.profileengine.model.PoolRejectedException) rejected.incrementAndGet();
          else failed.incrementAndGet();
        }
        all.countDown();
      });
    }
    if (!all.await(60, TimeUnit.SECONDS)) throw new IllegalStateException("requests did not complete");
    PoolStats after = pool.stats();
    int counted = total - skip;
    long[] fromCall = new long[counted];
    long[] fromIntended = new long[counted];
    long[] lag = new long[counted];
    long firstDue = intended[skip];
    long lastDone = Long.MIN_VALUE;
    for (int i = skip; i < total; i++) {
      fromCall[i - skip] = done[i] - sent[i];
      fromIntended[i - skip] = done[i] - intended[i];
      lag[i - skip] = sent[i] - intended[i];
      lastDone = Math.max(lastDone, done[i]);
    }
    Arrays.sort(fromCall);
    Arrays.sort(fromIntended);
    Arrays.sort(lag);
    return new Result(counted, counted / ((lastDone - firstDue) / 1e9), rejected.get(), failed.get(), meanBatch(before, after),
        fromCall, fromIntended, lag);
  }

  static double meanBatch(PoolStats before, PoolStats after) {
    long b = after.batches() - before.batches();
    return b == 0 ? 0 : (double) (after.completed() - before.completed()) / b;
  }

  /** The q-quantile of sorted nanoseconds, in ms (nearest rank). */
  static double ms(long[] sorted, double q) {
    if (sorted.length == 0) return Double.NaN;
    int i = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
    return sorted[i] / 1e6;
  }

  static String loadAvg() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "?";
    }
  }

  static Map<String, String> parse(String[] args) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) throw new IllegalArgumentException("expected --name value pairs, got " + String.join(" ", args));
      m.put(args[i].substring(2), args[++i]);
    }
    return m;
  }
}
