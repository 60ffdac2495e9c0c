package dev.profileengine.bench;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import akka.persistence.jdbc.testkit.javadsl.SchemaUtils;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.profileengine.data.BehaviorRow;
import dev.profileengine.data.TaobaoCsv;
import dev.profileengine.engine.journal.H2JournalSchema;
import dev.profileengine.engine.node.ProfileEngine;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ceiling the stack itself puts on ingest: the sample's rows sent, in the replay's batches, to
 * one sharded event-sourced entity per user that does nothing but journal each event (the raw row's
 * bytes, no de-duplication, profile, JSON, HTTP or prediction) and reply. Same node configuration as
 * the engine's (its cluster, sharding and journal settings, the embedded H2 journal with its
 * batching writer and known-id filter); {@code --journal inmem}: Akka's in-memory journal (no
 * database at all); {@code --journal none}: a sharded actor that only replies (no persistence).
 * Three rounds: every user new to a fresh JVM (entity start and recovery, as a fresh node's
 * replay), the same rows again into the live entities, then the rows under new user ids (entity
 * starts on a warm JVM). {@code --rows 2} journals a second small row per event after the reply, as
 * the engine journals an event's prediction.
 *
 * <pre>
 * java -cp load-tests/target/benchmarks.jar dev.profileengine.bench.StackCeilingProbe \
 *     [--file samples/taobao-userbehavior-sample.csv.gz] [--journal h2|inmem|none] [--rows 1|2] [--batch 500] [--concurrency 4]
 * </pre>
 *
 * Prints one {@code RESULT} line per round: events/s and the process's CPU per event.
 */
public final class StackCeilingProbe {
  private StackCeilingProbe() {}

  /** A user's events of one batch, journaled in one write. */
  record Record(List<byte[]> events, ActorRef<Done> replyTo) implements Command {}

  /** The second row of {@code --rows 2}, sent by the entity to itself after its reply. */
  record Second() implements Command {}

  sealed interface Command permits Record, Second {}

  static final EntityTypeKey<Command> KEY = EntityTypeKey.create(Command.class, "bare");
  private static final int EVENT_BYTES = 204;
  private static final byte[] SECOND_ROW = "prediction".getBytes(StandardCharsets.UTF_8);

  /** One user: journals what it is sent, counts it, nothing else. */
  static final class BareEntity extends EventSourcedBehavior<Command, byte[], Long> {
    private final ActorRef<Command> self;
    private final boolean secondRow;

    static Behavior<Command> create(String id, boolean secondRow) {
      return Behaviors.setup(ctx -> new BareEntity(id, ctx.getSelf(), secondRow));
    }

    private BareEntity(String id, ActorRef<Command> self, boolean secondRow) {
      super(PersistenceId.of(KEY.name(), id));
      this.self = self;
      this.secondRow = secondRow;
    }

    @Override
    public Long emptyState() {
      return 0L;
    }

    @Override
    public CommandHandler<Command, byte[], Long> commandHandler() {
      return newCommandHandlerBuilder().forAnyState()
          .onCommand(Record.class, (state, r) -> Effect().persist(r.events()).thenRun(s -> {
            r.replyTo().tell(Done.getInstance());
            if (secondRow) self.tell(new Second());
          }))
          .onCommand(Second.class, (state, s) -> Effect().persist(SECOND_ROW))
          .build();
    }

    @Override
    public EventHandler<Long, byte[]> eventHandler() {
      return newEventHandlerBuilder().forAnyState().onAnyEvent((state, e) -> state + 1);
    }
  }

  /** {@code --journal none}: the same messages to a plain sharded actor. */
  private static Behavior<Command> counter() {
    return Behaviors.receive(Command.class).onMessage(Record.class, r -> {
      r.replyTo().tell(Done.getInstance());
      return Behaviors.same();
    }).onMessage(Second.class, s -> Behaviors.same()).build();
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    Path file = SampleData.locate(opts.get("file"), SampleData.SAMPLE);
    String journal = opts.getOrDefault("journal", "h2");
    boolean secondRow = Integer.parseInt(opts.getOrDefault("rows", "1")) == 2;
    int batch = Integer.parseInt(opts.getOrDefault("batch", "500"));
    int concurrency = Integer.parseInt(opts.getOrDefault("concurrency", "4"));
    List<BehaviorRow> rows = TaobaoCsv.read(file, bad -> {});

    Path dir = Files.createTempDirectory("stack-ceiling");
    Map<String, Object> overrides = new LinkedHashMap<>(Map.of("profile.data-dir", dir.toString(),
        "akka.remote.artery.canonical.port", 0, "akka.loglevel", "WARNING"));
    if (journal.equals("inmem")) {
      overrides.put("akka.persistence.journal.plugin", "akka.persistence.journal.inmem");
      overrides.put("akka.persistence.snapshot-store.plugin", "");
    } else if (!journal.equals("h2") && !journal.equals("none")) {
      throw new IllegalArgumentException("--journal must be h2, inmem or none, not " + journal);
    }
    Config config = ProfileEngine.configure(ConfigFactory.parseMap(overrides).withFallback(ConfigFactory.load()));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "profile-engine", config);
    try {
      if (journal.equals("h2")) SchemaUtils.applyScript(H2JournalSchema.script(), system).toCompletableFuture().get(60, TimeUnit.SECONDS);
      Cluster cluster = Cluster.get(system);
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
      ClusterSharding sharding = ClusterSharding.get(system);
      boolean persistent = !journal.equals("none");
      sharding.init(Entity.of(KEY, ctx -> persistent ? BareEntity.create(ctx.getEntityId(), secondRow) : counter()));
      String label = "journal=" + journal + " rows=" + (secondRow ? 2 : 1) + " batch=" + batch + " concurrency=" + concurrency;
      round("fresh", label, rows, "", sharding, batch, concurrency);
      round("live", label, rows, "", sharding, batch, concurrency);
      round("new-ids-warm-jvm", label, rows, "-2", sharding, batch, concurrency);
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }

  /** Sends every row, {@code batch} rows at a time with {@code concurrency} batches in flight; prints its RESULT line. */
  private static void round(String name, String label, List<BehaviorRow> rows, String idSuffix, ClusterSharding sharding, int batch,
      int concurrency)
      throws Exception {
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    Semaphore inFlight = new Semaphore(concurrency);
    AtomicLong failed = new AtomicLong();
    List<CompletableFuture<Void>> all = new ArrayList<>();
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    for (int from = 0; from < rows.size(); from += batch) {
      inFlight.acquire();
      List<CompletableFuture<Done>> asks = new ArrayList<>();
      for (Map.Entry<String, List<byte[]>> user : byUser(rows.subList(from, Math.min(rows.size(), from + batch))).entrySet()) {
        asks.add(sharding.entityRefFor(KEY, user.getKey() + idSuffix)
            .<Done>ask(replyTo -> new Record(user.getValue(), replyTo), Duration.ofSeconds(60)).toCompletableFuture());
      }
      CompletableFuture<Void> done = CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> {
        if (e != null) failed.incrementAndGet();
        inFlight.release();
      });
      all.add(done);
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).exceptionally(e -> null).get(30, TimeUnit.MINUTES);
    double seconds = (System.nanoTime() - t0) / 1e9;
    double cpuSeconds = (os.getProcessCpuTime() - cpu0) / 1e9;
    if (failed.get() > 0) throw new IllegalStateException(failed.get() + " batches failed in round " + name);
    System.out.printf("RESULT stack-ceiling %s %s: %,d events in %.1f s = %,.0f events/s, process CPU %.1f s = %.0f µs per event%n",
        name, label, rows.size(), seconds, rows.size() / seconds, cpuSeconds, cpuSeconds * 1e6 / rows.size());
  }

  /** The row's fields padded to 204 bytes, the size of the engine's journaled event (BENCHMARKS.md). */
  private static byte[] payload(BehaviorRow r) {
    byte[] text = String.join(",", r.eventId(), r.categoryId(), r.type().wire(), Long.toString(r.epochSecond()))
        .getBytes(StandardCharsets.UTF_8);
    return java.util.Arrays.copyOf(text, Math.max(text.length, EVENT_BYTES));
  }

  /** The batch's rows per user, in order: what the engine's ingest sends each entity in one message. */
  private static Map<String, List<byte[]>> byUser(List<BehaviorRow> rows) {
    Map<String, List<byte[]>> users = new LinkedHashMap<>();
    for (BehaviorRow r : rows) {
      users.computeIfAbsent(r.userId(), u -> new ArrayList<>()).add(payload(r));
    }
    return users;
  }
}
