package dev.profileengine.bench;

import dev.profileengine.data.BehaviorRow;
import dev.profileengine.data.TaobaoCsv;
import dev.profileengine.model.encoding.UserContext;
import dev.profileengine.model.inference.BehaviorPredictor;
import dev.profileengine.model.inference.ModelLoader;
import dev.profileengine.model.inference.NextBehaviorModel;
import dev.profileengine.model.inference.TorchThreads;
import dev.profileengine.profile.RecentBehavior;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One pool worker's forward passes on what a replay of the sample asks for: the sample's rows in
 * file order, each a prediction on its user's profile as it stands after the row (at most the 50
 * recent behaviors the profile keeps), in batches of {@code batch} consecutive rows. {@code cut}
 * true runs each batch only for its longest sequence (the engine's way); false runs the model's
 * whole 50-step window for every batch (before). One operation is one batch.
 *
 * <pre>
 * java -jar load-tests/target/benchmarks.jar PaddingCut -f 1 -wi 2 -i 3 -r 5s
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Dai.djl.offline=true"})
@Threads(1)
public class PaddingCutBenchmark {
  static final int ROWS = 40_000;

  @State(Scope.Thread)
  public static class Worker {
    @Param({"true", "false"})
    public boolean cut;

    @Param({"16", "64"})
    public int batch;

    NextBehaviorModel model;
    BehaviorPredictor predictor;
    List<List<UserContext>> batches;
    int next;

    @Setup(Level.Trial)
    public void setUp() {
      TorchThreads.setIfUnset(1);
      List<BehaviorRow> rows = TaobaoCsv.read(SampleData.locate(System.getProperty("sample"), SampleData.SAMPLE), bad -> {});
      Map<String, List<RecentBehavior>> recent = new HashMap<>();
      List<UserContext> served = new ArrayList<>(ROWS);
      for (BehaviorRow r : rows.subList(0, Math.min(ROWS, rows.size()))) {
        List<RecentBehavior> h = recent.computeIfAbsent(r.userId(), u -> new ArrayList<>());
        h.add(new RecentBehavior(r.type(), r.categoryId(), r.epochSecond() * 1000L));
        if (h.size() > PoolBenchData.RECENT) h.remove(0);
        served.add(UserContext.of(List.copyOf(h)));
      }
      batches = new ArrayList<>();
      for (int from = 0; from + batch <= served.size(); from += batch) {
        List<UserContext> b = served.subList(from, from + batch);
        batches.add(b);
      }
      model = ModelLoader.loadDefault();
      predictor = model.newPredictor(cut);
      System.out.printf("%n[padding cut=%s] %d batches of %d predictions from the sample's first %d rows%n", cut, batches.size(), batch, served.size());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      predictor.close();
      model.close();
    }
  }

  @Benchmark
  public Object batch(Worker w) {
    List<UserContext> b = w.batches.get(w.next++ % w.batches.size());
    return w.predictor.predict(b);
  }
}
