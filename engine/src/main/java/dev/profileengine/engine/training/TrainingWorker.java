package dev.profileengine.engine.training;

import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import akka.pattern.StatusReply;
import dev.profileengine.engine.model.ClusterModels;
import dev.profileengine.engine.model.ModelAssignment;
import dev.profileengine.engine.model.ModelService.OnlineScore.Totals;
import dev.profileengine.engine.model.NodeModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Runs one {@link TrainingRun} on this node, step by step, and stores each step in
 * {@link ModelTraining} before going on: export, train, evaluate (blocking work on the blocking
 * dispatcher, the model tools in their own process), serve as A/B candidate, compare online every
 * {@code check-interval}, promote or roll back. It stops when the run ends, or when the entity no
 * longer counts the run as current (abandoned after a silence of this node).
 */
final class TrainingWorker extends AbstractBehavior<TrainingWorker.Command> {
  interface Command {}

  private record Exported(JournalTrainingData.Written written) implements Command {}

  private record Trained(long seconds) implements Command {}

  private record Evaluated(TrainingRun.Quality candidate, TrainingRun.Quality serving) implements Command {}

  private record Deployed(Map<String, Map<String, Totals>> baseline) implements Command {}

  private record Observed(List<NodeModels.Served> nodes, ModelAssignment.Assignment assignment) implements Command {}

  private record Decided(TrainingRun.Status status, String reason) implements Command {}

  private record Failed(String step, Throwable error) implements Command {}

  /** {@code run} was stored: go on with {@code then}. */
  private record Stored(TrainingRun run, Runnable then) implements Command {}

  /** Storing {@code run} failed ({@code refused}: the entity says it is not current). */
  private record NotStored(TrainingRun run, Runnable then, boolean refused, String reason, int attempt) implements Command {}

  private record Retry(TrainingRun run, Runnable then, int attempt) implements Command {}

  private enum Check implements Command { INSTANCE }

  private enum Beat implements Command { INSTANCE }

  private enum Stop implements Command { INSTANCE }

  private enum Ignore implements Command { INSTANCE }

  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
  private static final int STORE_ATTEMPTS = 60;

  private final TimerScheduler<Command> timers;
  private final TrainingSettings settings;
  private final ClusterModels models;
  private final JournalTrainingData data;
  private final TrainerProcess trainer;
  private final EntityRef<ModelTraining.Command> entity;
  private final Executor blocking;
  private final Duration askTimeout;
  private final Path registry;
  private final Path dir;
  private final Path dataFile;
  private TrainingRun run;
  private Map<String, Map<String, Totals>> baseline = Map.of();
  private Instant comparingSince;

  static Behavior<Command> create(TrainingRun run, TrainingSettings settings, ClusterModels models, JournalTrainingData data,
      Path registry, Duration askTimeout) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new TrainingWorker(ctx, timers, run, settings, models, data, registry, askTimeout).begin()));
  }

  private TrainingWorker(ActorContext<Command> ctx, TimerScheduler<Command> timers, TrainingRun run, TrainingSettings settings,
      ClusterModels models, JournalTrainingData data, Path registry, Duration askTimeout) {
    super(ctx);
    this.timers = timers;
    this.run = run;
    this.settings = settings;
    this.models = models;
    this.data = data;
    this.trainer = new TrainerProcess(settings);
    this.entity = ClusterSharding.get(ctx.getSystem()).entityRefFor(ModelTraining.ENTITY_KEY, ModelTraining.ID);
    this.blocking = ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
    this.askTimeout = askTimeout;
    this.registry = registry;
    this.dir = settings.workDir().resolve(run.id() + "-" + STAMP.format(run.requestedAt()));
    this.dataFile = dir.resolve("behaviors.json");
  }

  private Behavior<Command> begin() {
    long beat = Math.max(1000, settings.staleAfter().toMillis() / 4);
    timers.startTimerWithFixedDelay(Beat.INSTANCE, Duration.ofMillis(beat));
    getContext().getLog().info("Training {}: exporting the journal's behaviors to {}", run.id(), dataFile);
    pipe(data.write(dataFile, run.since(), run.until(), settings.window(), settings.maxEvents()), Exported::new, "export");
    return this;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Exported.class, this::onExported)
        .onMessage(Trained.class, this::onTrained)
        .onMessage(Evaluated.class, this::onEvaluated)
        .onMessage(Deployed.class, this::onDeployed)
        .onMessage(Check.class, c -> {
          pipe(models.nodes().thenCombine(models.assignment(), Observed::new), o -> o, "online comparison");
          return this;
        })
        .onMessage(Observed.class, this::onObserved)
        .onMessage(Decided.class, d -> finish(d.status(), d.reason()))
        .onMessage(Failed.class, this::onFailed)
        .onMessage(Stored.class, s -> {
          run = s.run();
          s.then().run();
          return run.ended() ? Behaviors.stopped() : this;
        })
        .onMessage(NotStored.class, this::onNotStored)
        .onMessage(Retry.class, r -> store(r.run(), r.then(), r.attempt()))
        .onMessage(Beat.class, b -> {
          getContext().pipeToSelf(entity.<TrainingRun>askWithStatus(r -> new ModelTraining.Alive(run.id(), r), askTimeout),
              (ok, e) -> e instanceof StatusReply.ErrorMessage ? Stop.INSTANCE : Ignore.INSTANCE);
          return this;
        })
        .onMessage(Ignore.class, i -> this)
        .onMessage(Stop.class, s -> {
          getContext().getLog().warn("Training {}: no longer the current run, stopping", run.id());
          cleanUp();
          return Behaviors.stopped();
        })
        .build();
  }

  private Behavior<Command> onExported(Exported m) {
    JournalTrainingData.Written w = m.written();
    TrainingRun exported = run.exported(w.since(), w.until(), w.events(), w.users());
    if (w.events() < settings.minEvents())
      return finish(exported, TrainingRun.Status.FAILED, "only " + w.events() + " behaviors in the window " + w.since() + " .. " + w.until()
          + ", at least " + settings.minEvents() + " needed (profile.model.training.min-events)");
    String candidate = "trained-" + run.id().substring(run.id().indexOf('-') + 1) + "-" + STAMP.format(Instant.now());
    String serving = models.local().servingVersion();
    TrainingRun training = exported.trained(candidate, serving)
        .step(TrainingRun.Status.TRAINING, Instant.now(), w.events() + " behaviors of " + w.users() + " users; training " + candidate);
    return store(training, () -> {
      long start = System.nanoTime();
      getContext().getLog().info("Training {}: training {} on {} behaviors of {} users", run.id(), candidate, w.events(), w.users());
      pipe(CompletableFuture.runAsync(() -> trainer.train(dataFile, registry, candidate, dir.resolve("train.log")), blocking),
          x -> new Trained((System.nanoTime() - start) / 1_000_000_000L), "training");
    }, 1);
  }

  private Behavior<Command> onTrained(Trained m) {
    TrainingRun evaluating = run.step(TrainingRun.Status.EVALUATING, Instant.now(), "trained in " + m.seconds() + " s");
    return store(evaluating, () -> pipe(CompletableFuture.supplyAsync(() -> {
      TrainingRun.Quality candidate = trainer.evaluate(dataFile, registry.resolve(run.candidate()), registry, dir.resolve("evaluate-candidate.log"));
      TrainingRun.Quality serving = servingQuality();
      return new Evaluated(candidate, serving);
    }, blocking), e -> e, "evaluation"), 1);
  }

  /** The serving model on the same events: from the registry, else the model packaged with the tools; null when it is the fallback. */
  private TrainingRun.Quality servingQuality() {
    if (models.local().degraded()) return null;
    Path version = registry.resolve(run.serving());
    boolean inRegistry = Files.isDirectory(version);
    return trainer.evaluate(dataFile, inRegistry ? version : null, inRegistry ? registry : dir.resolve("no-registry"),
        dir.resolve("evaluate-serving.log"));
  }

  private Behavior<Command> onEvaluated(Evaluated m) {
    JournalTrainingData.delete(dataFile); // the behaviors are not kept beyond their use
    TrainingRun evaluated = run.evaluated(m.candidate(), m.serving());
    var refusal = settings.rule().offlineRefusal(m.candidate(), m.serving());
    if (refusal.isPresent()) return finish(evaluated, TrainingRun.Status.REJECTED, refusal.get());
    return store(evaluated, () -> pipe(models.setCandidate(run.candidate(), settings.candidatePercent())
        .thenCompose(a -> models.nodes())
        .thenApply(nodes -> new Deployed(totalsByNode(nodes))), d -> d, "deploying the candidate"), 1);
  }

  private Behavior<Command> onDeployed(Deployed m) {
    baseline = m.baseline();
    comparingSince = Instant.now();
    TrainingRun comparing = run.compared(TrainingRun.Online.NONE, TrainingRun.Online.NONE, comparingSince)
        .step(TrainingRun.Status.COMPARING, comparingSince, "serving " + run.candidate() + " to " + settings.candidatePercent()
            + "% of users beside " + run.serving());
    return store(comparing, () -> timers.startSingleTimer(Check.INSTANCE, settings.checkInterval()), 1);
  }

  private Behavior<Command> onObserved(Observed m) {
    ModelAssignment.Assignment a = m.assignment();
    if (!run.candidate().equals(a.candidate()))
      return finish(run, TrainingRun.Status.ABANDONED, "the A/B candidate was changed to " + a.candidate() + " through the API");
    for (NodeModels.Served node : m.nodes()) {
      if (node.serving() != null && !node.serving().equals(run.serving()))
        return rollBack(TrainingRun.Status.FAILED, "node " + node.node() + " serves " + node.serving() + " instead of " + run.serving()
            + ": the serving model changed during the comparison");
      if (node.error() != null && node.error().contains(run.candidate()))
        return rollBack(TrainingRun.Status.ROLLED_BACK, "node " + node.node() + " cannot serve the candidate: " + node.error());
    }
    Map<String, Map<String, Totals>> now = totalsByNode(m.nodes());
    TrainingRun.Online candidate = online(now, run.candidate());
    TrainingRun.Online serving = online(now, run.serving());
    TrainingRun compared = run.compared(candidate, serving, Instant.now());
    PromotionRule.Decision decision = settings.rule().decide(candidate, serving, Duration.between(comparingSince, Instant.now()));
    if (decision instanceof PromotionRule.Promote p) {
      run = compared;
      pipe(models.activate(run.candidate()).thenCompose(x -> models.clearCandidate()),
          x -> new Decided(TrainingRun.Status.PROMOTED, p.reason()), "promoting the candidate");
      return this;
    }
    if (decision instanceof PromotionRule.RollBack r) {
      run = compared;
      return rollBack(TrainingRun.Status.ROLLED_BACK, r.reason());
    }
    Runnable next = () -> timers.startSingleTimer(Check.INSTANCE, settings.checkInterval());
    // Stored when the figures moved: GET /v1/models shows the comparison as it goes.
    if (candidate.equals(run.onlineCandidate()) && serving.equals(run.onlineServing())) {
      next.run();
      return this;
    }
    return store(compared, next, 1);
  }

  /** Clears the candidate, then ends the run as {@code status}. */
  private Behavior<Command> rollBack(TrainingRun.Status status, String reason) {
    pipe(models.clearCandidate(), x -> new Decided(status, reason), "rolling back the candidate");
    return this;
  }

  private Behavior<Command> onFailed(Failed m) {
    Throwable e = m.error() instanceof CompletionException && m.error().getCause() != null ? m.error().getCause() : m.error();
    String reason = m.step() + " failed: " + e.getMessage();
    getContext().getLog().warn("Training {}: {}", run.id(), reason);
    if (run.status() == TrainingRun.Status.COMPARING) {
      // The candidate may be serving: take it out (once; a second failure ends the run as it is).
      if (!m.step().startsWith("rolling back")) return rollBack(TrainingRun.Status.FAILED, reason);
    }
    return finish(run, TrainingRun.Status.FAILED, reason);
  }

  private Behavior<Command> finish(TrainingRun.Status status, String reason) {
    return finish(run, status, reason);
  }

  private Behavior<Command> finish(TrainingRun from, TrainingRun.Status status, String reason) {
    getContext().getLog().info("Training {}: {} ({})", run.id(), status, reason);
    cleanUp();
    timers.cancelAll();
    return store(from.step(status, Instant.now(), reason), () -> {}, 1);
  }

  private Behavior<Command> store(TrainingRun next, Runnable then, int attempt) {
    getContext().pipeToSelf(entity.<TrainingRun>askWithStatus(r -> new ModelTraining.Update(next, r), askTimeout), (ok, e) -> e == null
        ? new Stored(ok, then)
        : new NotStored(next, then, e instanceof StatusReply.ErrorMessage, e.getMessage(), attempt));
    return this;
  }

  private Behavior<Command> onNotStored(NotStored m) {
    if (m.refused() || m.attempt() >= STORE_ATTEMPTS) {
      getContext().getLog().warn("Training {}: step {} not stored ({}), stopping", run.id(), m.run().status(), m.reason());
      cleanUp();
      return Behaviors.stopped();
    }
    timers.startSingleTimer(new Retry(m.run(), m.then(), m.attempt() + 1), Duration.ofSeconds(1));
    return this;
  }

  private <T> void pipe(CompletionStage<T> work, java.util.function.Function<T, Command> done, String step) {
    getContext().pipeToSelf(work, (v, e) -> e == null ? done.apply(v) : new Failed(step, e));
  }

  /** Each node's online sums per version. */
  private static Map<String, Map<String, Totals>> totalsByNode(List<NodeModels.Served> nodes) {
    Map<String, Map<String, Totals>> out = new HashMap<>();
    for (NodeModels.Served n : nodes) out.put(n.node(), n.online());
    return out;
  }

  /** {@code version}'s online quality over the cluster since the candidate was deployed. */
  private TrainingRun.Online online(Map<String, Map<String, Totals>> now, String version) {
    Totals sum = Totals.NONE;
    for (var node : now.entrySet()) {
      Totals before = baseline.getOrDefault(node.getKey(), Map.of()).getOrDefault(version, Totals.NONE);
      sum = sum.plus(node.getValue().getOrDefault(version, Totals.NONE).since(before));
    }
    var v = sum.view();
    return new TrainingRun.Online(v.scored(), v.accuracy(), v.logLoss());
  }

  private void cleanUp() {
    JournalTrainingData.delete(dataFile);
  }
}
