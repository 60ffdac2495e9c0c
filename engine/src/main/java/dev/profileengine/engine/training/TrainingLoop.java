package dev.profileengine.engine.training;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Props;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import akka.cluster.typed.Cluster;
import akka.pattern.StatusReply;
import dev.profileengine.engine.model.ClusterModels;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * The model feedback loop as the API sees it: {@link #train} starts a run (stored in
 * {@link ModelTraining}, carried out by a {@link TrainingWorker} on this node), {@link #runs} lists
 * the latest runs with every step.
 */
public final class TrainingLoop {
  /** A run that cannot start: {@code conflict} when another run or this node's setup is the reason, else the request's {@code field}. */
  public static final class Refused extends RuntimeException {
    private final String field;
    private final boolean conflict;

    Refused(String field, String message, boolean conflict) {
      super(message);
      this.field = field;
      this.conflict = conflict;
    }

    public String field() {
      return field;
    }

    public boolean conflict() {
      return conflict;
    }
  }

  private final ActorSystem<?> system;
  private final ClusterModels models;
  private final TrainingSettings settings;
  private final JournalTrainingData data;
  private final EntityRef<ModelTraining.Command> entity;
  private final Duration askTimeout;

  private TrainingLoop(ActorSystem<?> system, ClusterModels models, TrainingSettings settings, JournalTrainingData data, Duration askTimeout) {
    this.system = system;
    this.models = models;
    this.settings = settings;
    this.data = data;
    this.entity = ClusterSharding.get(system).entityRefFor(ModelTraining.ENTITY_KEY, ModelTraining.ID);
    this.askTimeout = askTimeout;
  }

  /** Starts the loop's entity on this node. */
  public static TrainingLoop start(ActorSystem<?> system, ClusterModels models, TrainingSettings settings, Duration askTimeout) {
    ModelTraining.init(system, settings.staleAfter());
    TrainingLoop loop = new TrainingLoop(system, models, settings, new JournalTrainingData(system), askTimeout);
    settings.schedule().ifPresent(every -> TrainingSchedule.start(system, loop, every));
    return loop;
  }

  /** When the schedule starts the next run given {@code runs} (empty: the schedule is off); a past time: at its next check. */
  public Optional<Instant> nextScheduled(ModelTraining.Runs runs) {
    return settings.schedule().map(every -> TrainingSchedule.nextAt(runs, every, Instant.now()));
  }

  public TrainingSettings settings() {
    return settings;
  }

  /** Why this node cannot run training (empty: it can). */
  public Optional<String> unavailable() {
    // Every missing prerequisite at once, so an operator fixes them in one restart.
    List<String> missing = new ArrayList<>();
    if (models.local().registryDir().isEmpty())
      missing.add("no model registry directory to write a trained version to (profile.model.registry-dir, PROFILE_MODELS_DIR)");
    new TrainerProcess(settings).unavailable().ifPresent(missing::add);
    return missing.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", missing));
  }

  /** The refusal of a window edge outside the instants events may have, else null (also when absent). */
  private static Refused outsideRange(String field, Instant edge) {
    return edge == null || dev.profileengine.profile.InstantRange.contains(edge) ? null
        : new Refused(field, field + ": must be " + dev.profileengine.profile.InstantRange.describe(), false);
  }

  /**
   * Starts a run over behaviors with event time in [{@code since}, {@code until}] (nulls: the
   * configured window up to the newest behavior); completes with the run as stored, or fails with {@link Refused}.
   */
  public CompletionStage<TrainingRun> train(Instant since, Instant until) {
    Optional<String> unavailable = unavailable();
    if (unavailable.isPresent()) return CompletableFuture.failedFuture(new Refused(null, "training is not available on this node: " + unavailable.get(), true));
    // The window's edges become epoch milliseconds: outside the range events may have, they would overflow.
    Refused outside = outsideRange("since", since);
    if (outside == null) outside = outsideRange("until", until);
    if (outside != null) return CompletableFuture.failedFuture(outside);
    if (since != null && until != null && since.isAfter(until))
      return CompletableFuture.failedFuture(new Refused("since", "since: must not be after until", false));
    String node = Cluster.get(system).selfMember().address().toString();
    Path registry = models.local().registryDir().orElseThrow();
    return entity.<TrainingRun>askWithStatus(r -> new ModelTraining.Start(node, since, until, r), askTimeout)
        .handle((run, e) -> {
          if (e != null) {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            if (cause instanceof StatusReply.ErrorMessage) throw new Refused(null, cause.getMessage(), true);
            throw new CompletionException(cause);
          }
          system.systemActorOf(TrainingWorker.create(run, settings, models, data, registry, askTimeout), "training-" + run.id(), Props.empty());
          return run;
        });
  }

  /** The latest runs, newest first. */
  public CompletionStage<ModelTraining.Runs> runs() {
    return entity.ask(ModelTraining.GetRuns::new, askTimeout);
  }
}
