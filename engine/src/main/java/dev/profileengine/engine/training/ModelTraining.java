package dev.profileengine.engine.training;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.pattern.StatusReply;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandlerWithReply;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import akka.persistence.typed.javadsl.ReplyEffect;
import akka.persistence.typed.javadsl.RetentionCriteria;
import dev.profileengine.engine.cbor.CborSerializable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The cluster's record of the model feedback loop, journaled: at most one run at a time, every step
 * of it ({@link RunUpdated} with the whole run after the step), the latest {@link #KEPT} runs. The
 * work itself runs in a {@link TrainingWorker} on the node that took the request, which reports
 * each step here; a run whose worker stopped reporting (its node died) is abandoned by the next request.
 */
public final class ModelTraining
    extends EventSourcedBehaviorWithEnforcedReplies<ModelTraining.Command, ModelTraining.Event, ModelTraining.Runs> {

  public static final EntityTypeKey<Command> ENTITY_KEY = EntityTypeKey.create(Command.class, "ModelTraining");
  /** The one entity id: one loop per cluster. */
  public static final String ID = "cluster";
  /** Runs kept in the state (older ones stay in the journal). */
  static final int KEPT = 20;

  public static void init(ActorSystem<?> system, Duration staleAfter) {
    ClusterSharding.get(system).init(Entity.of(ENTITY_KEY, ctx -> new ModelTraining(ctx.getEntityId(), staleAfter, Clock.systemUTC())));
  }

  public sealed interface Command extends CborSerializable {}

  /**
   * Start a run on {@code node} over the event-time window (nulls: the default window); refused
   * while another run is alive.
   */
  public record Start(String node, Instant since, Instant until, ActorRef<StatusReply<TrainingRun>> replyTo) implements Command {}

  /** The worker's report of a step: {@code run} as it is now. Refused when the run is no longer the current one. */
  public record Update(TrainingRun run, ActorRef<StatusReply<TrainingRun>> replyTo) implements Command {}

  /** The worker is alive (not journaled); answered with the run as stored, an error when it is not current. */
  public record Alive(String runId, ActorRef<StatusReply<TrainingRun>> replyTo) implements Command {}

  public record GetRuns(ActorRef<Runs> replyTo) implements Command {}

  public sealed interface Event extends CborSerializable {}

  public record RunUpdated(TrainingRun run) implements Event {}

  /** The latest runs, newest first; {@code started} counts every run ever started (names the next). */
  public record Runs(List<TrainingRun> runs, long started) implements CborSerializable {
    public static final Runs NONE = new Runs(List.of(), 0);

    public Runs {
      runs = List.copyOf(runs);
    }

    /** The newest run when it has not ended. */
    public TrainingRun current() {
      return runs.isEmpty() || runs.get(0).ended() ? null : runs.get(0);
    }

    Runs with(TrainingRun run) {
      List<TrainingRun> next = new ArrayList<>(runs);
      boolean isNew = next.isEmpty() || !next.get(0).id().equals(run.id());
      if (isNew) next.add(0, run);
      else next.set(0, run);
      return new Runs(next.subList(0, Math.min(KEPT, next.size())), isNew ? started + 1 : started);
    }
  }

  private final Duration staleAfter;
  private final Clock clock;
  // When the current run's worker last reported (not journaled: after a restart the worker has staleAfter to report).
  private Instant lastSign;
  private final Instant awake;

  ModelTraining(String id, Duration staleAfter, Clock clock) {
    super(PersistenceId.of(ENTITY_KEY.name(), id));
    this.staleAfter = staleAfter;
    this.clock = clock;
    this.awake = clock.instant();
  }

  private static Instant latest(Instant a, Instant b) {
    return b == null || a.isAfter(b) ? a : b;
  }

  /** For tests: the entity without sharding. */
  static ModelTraining create(Duration staleAfter, Clock clock) {
    return new ModelTraining(ID, staleAfter, clock);
  }

  @Override
  public Runs emptyState() {
    return Runs.NONE;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(100, 1);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, Runs> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Start.class, this::start)
        .onCommand(Update.class, this::update)
        .onCommand(Alive.class, (s, c) -> {
          TrainingRun current = s.current();
          if (current == null || !current.id().equals(c.runId())) return Effect().reply(c.replyTo(), StatusReply.error(notCurrent(s, c.runId())));
          lastSign = clock.instant();
          return Effect().reply(c.replyTo(), StatusReply.success(current));
        })
        .onCommand(GetRuns.class, (s, c) -> Effect().reply(c.replyTo(), s))
        .build();
  }

  private ReplyEffect<Event, Runs> start(Runs s, Start c) {
    Instant now = clock.instant();
    if (c.since() != null && c.until() != null && c.since().isAfter(c.until()))
      return Effect().reply(c.replyTo(), StatusReply.error("since: after until"));
    TrainingRun current = s.current();
    List<Event> events = new ArrayList<>();
    if (current != null) {
      // The latest sign of its worker; since this entity started, the worker has had staleAfter to show itself.
      Instant sign = latest(latest(current.updatedAt(), lastSign), awake);
      if (Duration.between(sign, now).compareTo(staleAfter) < 0)
        return Effect().reply(c.replyTo(), StatusReply.error("a training run is in progress: " + current.id() + " (" + current.status() + ")"));
      events.add(new RunUpdated(current.step(TrainingRun.Status.ABANDONED, now,
          "no sign of its node (" + current.node() + ") for " + staleAfter.toSeconds() + " s")));
    }
    TrainingRun run = TrainingRun.start("run-" + (s.started() + 1), c.node(), now, c.since(), c.until());
    events.add(new RunUpdated(run));
    return Effect().persist(events).thenRun(x -> lastSign = now).thenReply(c.replyTo(), x -> StatusReply.success(run));
  }

  private ReplyEffect<Event, Runs> update(Runs s, Update c) {
    TrainingRun current = s.current();
    if (current == null || !current.id().equals(c.run().id()))
      return Effect().reply(c.replyTo(), StatusReply.error(notCurrent(s, c.run().id())));
    return Effect().persist(new RunUpdated(c.run())).thenRun(x -> lastSign = clock.instant())
        .thenReply(c.replyTo(), x -> StatusReply.success(c.run()));
  }

  private static String notCurrent(Runs s, String runId) {
    return s.runs().stream().filter(r -> r.id().equals(runId)).findFirst()
        .map(r -> runId + " has ended (" + r.status() + ")").orElse("no run " + runId);
  }

  @Override
  public EventHandler<Runs, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(RunUpdated.class, (s, e) -> s.with(e.run()))
        .build();
  }
}
