package dev.profileengine.gateway.replay;

import dev.profileengine.data.BehaviorRow;
import dev.profileengine.data.TaobaoCsv;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** {@code replay --file CSV [--url URL] [--batch N] [--concurrency N] [--rate EVENTS_PER_S] [--limit N] [--no-sort] [--api-key KEY] [--anonymous-until INSTANT]}. */
public final class ReplayCli {
  private ReplayCli() {}

  static final String USAGE = """
      usage: replay --file CSV [--url http://127.0.0.1:8080] [--batch 500] [--concurrency 4]
                    [--rate EVENTS_PER_S] [--limit ROWS] [--no-sort] [--api-key KEY] [--anonymous-until INSTANT]
        Streams a Taobao UserBehavior CSV (user_id,item_id,category_id,behavior_type,ts) or the
        brand/price variant, plain or gzip-compressed (samples/taobao-userbehavior-sample.csv.gz), to
        POST /v1/events. Rows are sorted by event time first (stable), as the
        engine rejects events more than the allowed lateness behind a user's latest one; --no-sort
        keeps file order. Event ids are derived from the rows, so replaying twice stores nothing twice
        (rows older than a user's allowed lateness come back too_late instead of duplicate).
        --rate paces the replay: a batch starts no earlier than its rows' turn at that many events/s
        (a node slower than that sets the rate itself); without it, batches go as fast as answered.
        --anonymous-until sends each row before that instant (e.g. 2017-11-29T12:00:00Z) under the
        anonymous id anon-<user> alone, and later ones with the user id too: the engine links them.""";

  public static int run(String[] args) throws InterruptedException {
    return run(args, ReplaySettings.fromEnv(System.getenv()));
  }

  static int run(String[] args, ReplaySettings defaults) throws InterruptedException {
    Path file = null;
    URI url = defaults.url();
    int batch = 500, concurrency = 4, limit = Integer.MAX_VALUE;
    double rate = 0;
    boolean sort = true;
    String apiKey = defaults.apiKey();
    java.time.Instant anonymousUntil = null;
    try {
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--file" -> file = Path.of(args[++i]);
          case "--url" -> url = URI.create(args[++i]);
          case "--batch" -> batch = Integer.parseInt(args[++i]);
          case "--concurrency" -> concurrency = Integer.parseInt(args[++i]);
          case "--rate" -> rate = Double.parseDouble(args[++i]);
          case "--limit" -> limit = Integer.parseInt(args[++i]);
          case "--no-sort" -> sort = false;
          case "--api-key" -> apiKey = args[++i];
          case "--anonymous-until" -> anonymousUntil = java.time.Instant.parse(args[++i]);
          case "-h", "--help" -> {
            System.out.println(USAGE);
            return 0;
          }
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
      }
      if (file == null) throw new IllegalArgumentException("--file is required");
      if (!Files.isReadable(file)) throw new IllegalArgumentException("cannot read " + file);
      if (batch < 1 || batch > 1000) throw new IllegalArgumentException("--batch must be 1..1000");
      if (concurrency < 1) throw new IllegalArgumentException("--concurrency must be positive");
      if (rate < 0 || !Double.isFinite(rate)) throw new IllegalArgumentException("--rate must be a positive number of events/s");
    } catch (RuntimeException e) {
      System.err.println("replay: " + e.getMessage() + "\n" + USAGE);
      return 2;
    }
    AtomicLong bad = new AtomicLong();
    List<BehaviorRow> rows = sort
        ? TaobaoCsv.readSortedByTime(file, b -> report(bad, b))
        : TaobaoCsv.read(file, b -> report(bad, b));
    if (rows.size() > limit) rows = rows.subList(0, limit);
    System.out.printf("replay: %,d rows from %s (%,d unreadable lines skipped) -> %s, batch %d, concurrency %d%s%n",
        rows.size(), file, bad.get(), url, batch, concurrency, rate > 0 ? String.format(", at most %,.0f events/s", rate) : "");
    Replayer replayer = new Replayer(new Replayer.Options(url, batch, concurrency, 8, apiKey, anonymousUntil, rate));
    Replayer.Progress done = replayer.run(rows, p -> System.out.println(p.line()));
    replayer.sampleRejections().forEach(r -> System.out.println("  " + r));
    System.out.println(replayer.ackLatency().line());
    if (replayer.stoppedBy().isPresent()) {
      System.out.printf("replay stopped after %,d of %,d rows: %s%n  What the node acknowledged is stored. Replaying the same file again"
          + " is safe: event ids come from the rows, so the node ignores the events it already has.%n",
          done.rowsSent(), done.totalRows(), replayer.stoppedBy().get());
      return 1;
    }
    System.out.printf("replay done in %.1f s: %,.0f events/s%n", done.seconds(), done.eventsPerSecond());
    return 0;
  }

  private static void report(AtomicLong bad, TaobaoCsv.BadLine b) {
    if (bad.incrementAndGet() <= 10) System.err.println("replay: skipping line " + b.line() + ": " + b.reason());
  }
}
