package dev.profileengine.bench;

import dev.profileengine.model.encoding.UserContext;
import dev.profileengine.model.inference.BehaviorPredictor;
import dev.profileengine.model.inference.InferencePool;
import dev.profileengine.model.inference.ModelLoader;
import dev.profileengine.model.inference.NextBehaviorModel;
import dev.profileengine.model.inference.PoolStats;
import dev.profileengine.model.inference.Prediction;
import dev.profileengine.model.registry.ModelRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Predictions per second of the default model ({@link ModelRegistry#loadDefault()}),
 * every input one real user's last 50 behaviors ({@link PoolBenchData}), cycling through 469 users.
 * All figures are predictions/s.
 *
 * <ul>
 *   <li>{@code workerBatch1}: the model's own worker ({@link BehaviorPredictor}, what a pool worker
 *       holds) called directly with one user per forward pass, on one thread: the "never call the
 *       model once per event" baseline.
 *   <li>{@code workerBatch64}: the same worker with 64 users per call (no queue, no threads): the
 *       ceiling the pool can approach at its default {@code maxBatch}.
 *   <li>{@code pool}: through an {@link InferencePool} with {@code workers} worker(s), batches closed
 *       at {@code maxBatch} requests or {@code maxDelayMs}; many concurrent callers are simulated by a
 *       closed loop of {@code outstanding} requests in flight (the benchmark thread submits a new
 *       request whenever one completes, as {@code outstanding} independent callers would). One
 *       operation = one prediction submitted; in steady state that is one completed.
 * </ul>
 *
 * <pre>
 * OPT_OUT_TRACKING=true java -jar load-tests/target/benchmarks.jar InferencePool -f 1 -wi 2 -i 3 -r 5s \
 *     -jvmArgsAppend -Dai.djl.offline=true
 * </pre>
 *
 * The pool's teardown prints its statistics (mean batch size, histogram, p99 bucket) once per
 * trial ({@code [pool ...]} lines). Latency at a fixed offered rate is {@link PoolLatencyProbe}'s job.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Dai.djl.offline=true"})
@Threads(1)
public class InferencePoolBenchmark {

  static List<UserContext> contexts() {
    return PoolBenchData.load().stream().map(c -> UserContext.of(c.recent())).toList();
  }

  /** One model and one worker (predictor) for the benchmark thread. */
  @State(Scope.Thread)
  public static class Worker {
    NextBehaviorModel model;
    BehaviorPredictor predictor;
    List<UserContext> users;
    List<List<UserContext>> batches64;
    int next;

    @Setup(Level.Trial)
    public void setUp() {
      users = contexts();
      model = ModelLoader.loadDefault();
      predictor = model.newPredictor();
      batches64 = new ArrayList<>();
      for (int start = 0; start < users.size(); start += 64) {
        List<UserContext> b = new ArrayList<>(64);
        for (int i = 0; i < 64; i++) b.add(users.get((start + i) % users.size()));
        batches64.add(List.copyOf(b));
      }
      System.out.printf("%n[worker] model %s, %d users with >= %d behaviors%n", model.version(), users.size(), PoolBenchData.RECENT);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      predictor.close();
      model.close();
    }
  }

  /** A pool on the default model, fed by a closed loop of {@code outstanding} requests. */
  @State(Scope.Benchmark)
  public static class Pool {
    /** Requests per batch at most (the default operating point is 64). */
    @Param({"1", "8", "32", "64", "128"})
    public int maxBatch;

    /** A batch closes this long after its first request at the latest. */
    @Param({"2"})
    public int maxDelayMs;

    /** Worker threads (each its own predictor, one PyTorch thread each); the engine runs one per core. */
    @Param({"2"})
    public int workers;

    /** Requests in flight: the number of concurrent callers. */
    @Param({"256"})
    public int outstanding;

    InferencePool pool;
    Semaphore inFlight;
    final LongAdder failures = new LongAdder();
    List<PoolBenchData.Context> users;
    int next;

    @Setup(Level.Trial)
    public void setUp() {
      users = PoolBenchData.load();
      pool = new InferencePool(ModelLoader.loadDefault(), PoolBenchData.poolConfig(workers, maxBatch, maxDelayMs, outstanding));
      inFlight = new Semaphore(outstanding);
      System.out.printf("%n[pool] model %s, %s, %d outstanding, %d users%n", pool.modelVersion(), pool.config(), outstanding, users.size());
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
      inFlight.acquire(outstanding); // let the last requests finish
      PoolStats s = pool.stats();
      System.out.printf("%n[pool maxBatch=%d workers=%d] completed %,d, failed %d, rejected %d, batches %,d, mean batch %.1f, max %d, "
              + "enqueue-to-completion mean %.2f ms, p99 <= %.1f ms (closed loop, %d outstanding: queueing included), histogram %s%n",
          maxBatch, workers, s.completed(), s.failed(), s.rejected(), s.batches(), s.meanBatchSize(), s.maxBatchSize(),
          s.meanLatencyMillis(), s.p99LatencyMillis(), outstanding, s.batchSizeHistogram());
      pool.close();
      if (failures.sum() > 0) throw new IllegalStateException(failures.sum() + " predictions failed");
    }
  }

  @Benchmark
  public Prediction workerBatch1(Worker w) {
    UserContext user = w.users.get(w.next++ % w.users.size());
    return w.predictor.predict(List.of(user)).get(0);
  }

  @Benchmark
  @OperationsPerInvocation(64)
  public List<Prediction> workerBatch64(Worker w) {
    return w.predictor.predict(w.batches64.get(w.next++ % w.batches64.size()));
  }

  @Benchmark
  public CompletableFuture<Prediction> pool(Pool p) throws InterruptedException {
    p.inFlight.acquire();
    PoolBenchData.Context u = p.users.get(p.next++ % p.users.size());
    CompletableFuture<Prediction> f = p.pool.predict(u.userId(), u.recent()).toCompletableFuture();
    f.whenComplete((r, e) -> {
      if (e != null) p.failures.increment();
      p.inFlight.release();
    });
    return f;
  }
}
