package dev.profileengine.bench;

import dev.profileengine.data.BehaviorRow;
import dev.profileengine.data.TaobaoCsv;
import dev.profileengine.gateway.replay.Replayer;
import dev.profileengine.gateway.replay.ShardRouting;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Replays the first {@code rows} rows of a Taobao CSV through every given node at once (users
 * split over the nodes by id, each node's share through its own replay client with {@code lanes}
 * concurrent batches) and prints the cluster's ingest events/s, counted from the replies: stored =
 * accepted + duplicates (a duplicate is a retried event the first attempt stored). Before that,
 * {@code warmup} rows per node of other users (the next rows of the file whose users are not among the
 * measured ones) go through the same path, so the measured users are new to the cluster while its
 * JIT, pools and connections are warm. load-tests/scripts/scale-out.sh runs it.
 *
 * <pre>
 * java -cp load-tests/target/benchmarks.jar dev.profileengine.bench.MultiNodeReplayProbe \
 *     http://127.0.0.1:8080,http://127.0.0.1:8081 [rows=30000] [batch=500] [lanes=4] [warmup=10000 per node] [route=owner] [csv]
 * </pre>
 * Route {@code owner}: each user's rows go to the node hosting the user's shard (asked of the nodes,
 * {@link ShardRouting}, before each phase; users of shards not started yet by their id's hash);
 * {@code hash}: every user by its id's hash, whichever node hosts it.
 * Prints {@code WARMUP ...} (when warmup > 0) and {@code SUMMARY nodes N: R rows, S stored, A accepted,
 * D duplicates, J rejected, U unconfirmed, T retries, F failed batches in X s = E events/s}.
 */
public final class MultiNodeReplayProbe {
  private MultiNodeReplayProbe() {}

  public static void main(String[] args) throws Exception {
    List<URI> nodes = Arrays.stream(args[0].split(",")).map(String::strip).map(URI::create).toList();
    int n = args.length > 1 ? Integer.parseInt(args[1]) : 30_000;
    int batch = args.length > 2 ? Integer.parseInt(args[2]) : 500;
    int lanes = args.length > 3 ? Integer.parseInt(args[3]) : 4;
    int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 10_000;
    boolean byOwner = !(args.length > 5 && args[5].equals("hash"));
    List<BehaviorRow> all = TaobaoCsv.read(SampleData.locate(args.length > 6 ? args[6] : null, SampleData.SAMPLE), bad -> {});
    List<BehaviorRow> rows = all.subList(0, Math.min(n, all.size()));
    Set<String> measuredUsers = new HashSet<>();
    rows.forEach(r -> measuredUsers.add(r.userId()));
    List<BehaviorRow> warm = all.subList(rows.size(), all.size()).stream()
        .filter(r -> !measuredUsers.contains(r.userId())).limit((long) warmup * nodes.size()).toList();
    if (!warm.isEmpty()) {
      Result w = replay(nodes, warm, batch, lanes, byOwner);
      System.out.println("WARMUP " + w.line(nodes.size(), warm.size()));
    }
    Result r = replay(nodes, rows, batch, lanes, byOwner);
    System.out.println("SUMMARY " + r.line(nodes.size(), rows.size()));
  }

  record Result(long accepted, long duplicates, long rejected, long unconfirmed, long retries, long failed, double seconds) {
    long stored() {
      return accepted + duplicates;
    }

    String line(int nodes, int rows) {
      return String.format("nodes %d: %,d rows, %,d stored, %,d accepted, %,d duplicates, %,d rejected, %,d unconfirmed, %,d retries, "
          + "%,d failed batches in %.1f s = %,.0f events/s", nodes, rows, stored(), accepted, duplicates, rejected, unconfirmed, retries,
          failed, seconds, stored() / seconds);
    }
  }

  private static Result replay(List<URI> nodes, List<BehaviorRow> rows, int batch, int lanes, boolean byOwner) throws Exception {
    List<List<BehaviorRow>> shares = new ArrayList<>();
    for (int i = 0; i < nodes.size(); i++) shares.add(new ArrayList<>());
    ShardRouting routing = byOwner ? ShardRouting.fetch(nodes, System.getenv("PROFILE_API_KEY")) : null;
    for (BehaviorRow r : rows) {
      shares.get(routing != null ? routing.nodeOf(r.userId()) : Math.floorMod(r.userId().hashCode(), nodes.size())).add(r);
    }
    System.out.println("ROUTE " + (routing == null ? "by hash" : "by owner, " + routing.routedShards() + " shards known")
        + ": rows per node " + shares.stream().map(l -> String.valueOf(l.size())).toList());
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
    long accepted = 0, duplicates = 0, rejected = 0, unconfirmed = 0, retries = 0, failed = 0;
    for (CompletableFuture<Replayer.Progress> f : running) {
      Replayer.Progress p = f.join();
      accepted += p.accepted();
      duplicates += p.duplicates();
      rejected += p.rejected();
      unconfirmed += p.unconfirmed();
      retries += p.retries();
      failed += p.failedBatches();
    }
    return new Result(accepted, duplicates, rejected, unconfirmed, retries, failed, (System.nanoTime() - t0) / 1e9);
  }
}
