package dev.profileengine.bench;

import dev.profileengine.data.BehaviorRow;
import dev.profileengine.data.TaobaoCsv;
import dev.profileengine.gateway.replay.Replayer;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Replays the first {@code rows} rows of a Taobao CSV through every given node at once (users
 * split over the nodes by id, each node's share through its own replay client with {@code lanes}
 * concurrent batches) and prints the cluster's ingest events/s. Run once against one node and once
 * against three (load-tests/scripts/scale-1-vs-3.sh) for the scaling ratio.
 *
 * <pre>
 * java -cp load-tests/target/benchmarks.jar dev.profileengine.bench.MultiNodeReplayProbe \
 *     http://127.0.0.1:8080,http://127.0.0.1:8081 [rows=40000] [batch=500] [lanes=4] [csv]
 * </pre>
 */
public final class MultiNodeReplayProbe {
  private MultiNodeReplayProbe() {}

  public static void main(String[] args) throws Exception {
    List<URI> nodes = Arrays.stream(args[0].split(",")).map(String::strip).map(URI::create).toList();
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 40_000;
    int batch = args.length > 2 ? Integer.parseInt(args[2]) : 500;
    int lanes = args.length > 3 ? Integer.parseInt(args[3]) : 4;
    List<BehaviorRow> rows = TaobaoCsv.read(SampleData.locate(args.length > 4 ? args[4] : null, SampleData.SAMPLE), bad -> {});
    rows = rows.subList(0, Math.min(n, rows.size()));
    List<List<BehaviorRow>> shares = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) shares.add(new ArrayList<>());
    for (BehaviorRow r : rows) shares.get(Math.floorMod(r.userId().hashCode(), nodes.size())).add(r);
    long t0 = System.nanoTime();
    List<CompletableFuture<Replayer.Progress>> running = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) {
      Replayer replayer = new Replayer(new Replayer.Options(nodes.get(i), batch, lanes, 8, System.getenv("PROFILE_API_KEY")));
      List<BehaviorRow> share = shares.get(i);
      running.add(CompletableFuture.supplyAsync(() -> {
        try {
          return replayer.run(share, p -> {});
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }));
    }
    long accepted = 0, duplicates = 0, rejected = 0, retries = 0;
    for (CompletableFuture<Replayer.Progress> f : running) {
      Replayer.Progress p = f.join();
      accepted += p.accepted();
      duplicates += p.duplicates();
      rejected += p.rejected();
      retries += p.retries();
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf("SUMMARY nodes %d: %,d rows, %,d accepted, %,d duplicates, %,d rejected, %,d retries in %.1f s = %,.0f events/s%n",
        nodes.size(), rows.size(), accepted, duplicates, rejected, retries, seconds, accepted / seconds);
  }
}
