package dev.profileengine.engine.training;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.typed.ClusterSingleton;
import akka.cluster.typed.SingletonActor;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;

/**
 * {@code profile.model.training.schedule}: the cluster starts a run (the configured window) whenever
 * none is in progress and the latest run began at least {@code every} ago. A cluster singleton, so
 * one scheduler per cluster, and the run's worker is on the singleton's node. The decision reads
 * the journaled runs, never a timer's memory: a restart or a hand-over starts no extra run.
 */
final class TrainingSchedule {
  interface Command {}

  private enum Check implements Command { INSTANCE }

  private record Read(ModelTraining.Runs runs, Throwable error) implements Command {}

  private record Attempted(TrainingRun run, Throwable error) implements Command {}

  /** The runs could not be read (the entity moving, the journal slow): asked again this soon. */
  private static final Duration REREAD = Duration.ofSeconds(10);

  private TrainingSchedule() {}

  /** Starts the singleton (each node with the loop runs its manager; the oldest hosts it). */
  static void start(ActorSystem<?> system, TrainingLoop loop, Duration every) {
    Behavior<Command> scheduler = Behaviors.<Command>supervise(create(loop, every))
        .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofSeconds(1), Duration.ofMinutes(1), 0.2));
    ClusterSingleton.get(system).init(SingletonActor.of(scheduler, "training-schedule"));
  }

  /** When the schedule starts the next run: {@code every} after the latest run began, now when none ever did. */
  static Instant nextAt(ModelTraining.Runs runs, Duration every, Instant now) {
    return runs.runs().isEmpty() ? now : runs.runs().get(0).requestedAt().plus(every);
  }

  private static Behavior<Command> create(TrainingLoop loop, Duration every) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      Logger log = ctx.getLog();
      log.info("Training schedule: a run every {} (profile.model.training.schedule)", every);
      ctx.getSelf().tell(Check.INSTANCE);
      return Behaviors.receive(Command.class)
          .onMessage(Check.class, c -> {
            ctx.pipeToSelf(loop.runs(), Read::new);
            return Behaviors.same();
          })
          .onMessage(Read.class, r -> {
            if (r.error() != null) {
              log.warn("Training schedule: the runs could not be read ({}), again in {}", cause(r.error()).getMessage(), min(REREAD, every));
              timers.startSingleTimer(Check.INSTANCE, min(REREAD, every));
              return Behaviors.same();
            }
            Instant now = Instant.now();
            Instant due = nextAt(r.runs(), every, now);
            if (due.isAfter(now)) timers.startSingleTimer(Check.INSTANCE, Duration.between(now, due));
            else ctx.pipeToSelf(loop.train(null, null), Attempted::new);
            return Behaviors.same();
          })
          .onMessage(Attempted.class, a -> {
            // Started or refused: the next check is an interval later. Not answered (the entity
            // moving, a timeout): sooner; if the run was stored after all, that check sees it.
            Duration next = a.error() == null || cause(a.error()) instanceof TrainingLoop.Refused ? every : min(REREAD, every);
            if (a.error() == null) log.info("Training schedule: started {}", a.run().id());
            else log.warn("Training schedule: no run started ({}), next attempt in {}", cause(a.error()).getMessage(), next);
            timers.startSingleTimer(Check.INSTANCE, next);
            return Behaviors.same();
          })
          .build();
    }));
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static Throwable cause(Throwable e) {
    return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
  }
}
