package dev.profileengine.engine.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.pattern.StatusReply;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import com.typesafe.config.Config;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The loop's journaled record with the persistence test kit: real CBOR of commands, events and state. */
class ModelTrainingTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final Duration STALE = Duration.ofMinutes(2);
  private static final Config CONFIG = dev.profileengine.engine.EntityTestKitConfig.CONFIG;
  private static final ActorTestKit TESTKIT = ActorTestKit.create(CONFIG);

  /** A clock the test moves. */
  private static final class Moving extends Clock {
    private Instant now = T0;

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private Moving clock;
  private EventSourcedBehaviorTestKit<ModelTraining.Command, ModelTraining.Event, ModelTraining.Runs> kit;

  @AfterAll
  static void stop() {
    TESTKIT.shutdownTestKit();
  }

  @BeforeEach
  void fresh() {
    clock = new Moving();
    kit = EventSourcedBehaviorTestKit.create(TESTKIT.system(), ModelTraining.create(STALE, clock));
    kit.clear();
  }

  private StatusReply<TrainingRun> start(Instant since, Instant until) {
    return kit.<StatusReply<TrainingRun>>runCommand(r -> new ModelTraining.Start("node-a", since, until, r)).reply();
  }

  private StatusReply<TrainingRun> update(TrainingRun run) {
    return kit.<StatusReply<TrainingRun>>runCommand(r -> new ModelTraining.Update(run, r)).reply();
  }

  @Test
  void oneRunAtATimeEachStepStoredAndRecovered() {
    TrainingRun run = start(null, null).getValue();
    assertEquals("run-1", run.id());
    assertEquals(TrainingRun.Status.EXPORTING, run.status());
    StatusReply<TrainingRun> second = start(null, null);
    assertTrue(second.isError());
    assertTrue(second.getError().getMessage().contains("in progress: run-1"), second.getError().getMessage());

    clock.advance(Duration.ofSeconds(30));
    TrainingRun training = run.exported(T0.minusSeconds(86_400), T0, 5000, 40).step(TrainingRun.Status.TRAINING, clock.instant(), "5000 behaviors");
    assertEquals(training, update(training).getValue());
    TrainingRun promoted = training.step(TrainingRun.Status.PROMOTED, clock.instant(), "online log-loss ...");
    assertEquals(promoted, update(promoted).getValue());
    assertNull(kit.getState().current(), "an ended run is not current");

    // An ended run takes no more updates; a new one gets the next name.
    assertTrue(update(promoted.step(TrainingRun.Status.FAILED, clock.instant(), "late")).isError());
    assertEquals("run-2", start(null, null).getValue().id());

    kit.restart();
    ModelTraining.Runs runs = kit.getState();
    assertEquals(List.of("run-2", "run-1"), runs.runs().stream().map(TrainingRun::id).toList());
    assertEquals(promoted, runs.runs().get(1));
    assertEquals(2, runs.started());
  }

  @Test
  void aSilentRunIsAbandonedByTheNextRequestAndItsWorkerStopped() {
    TrainingRun run = start(null, null).getValue();
    clock.advance(STALE.minusSeconds(1));
    assertTrue(kit.<StatusReply<TrainingRun>>runCommand(r -> new ModelTraining.Alive(run.id(), r)).reply().isSuccess());
    clock.advance(STALE.minusSeconds(1));
    assertTrue(start(null, null).isError(), "a sign of life within stale-after keeps the run");

    clock.advance(STALE);
    TrainingRun next = start(null, null).getValue();
    assertEquals("run-2", next.id());
    TrainingRun abandoned = kit.getState().runs().get(1);
    assertEquals(TrainingRun.Status.ABANDONED, abandoned.status());
    assertTrue(abandoned.reason().contains("node-a"), abandoned.reason());
    // The old worker learns it at its next sign of life or step.
    assertTrue(kit.<StatusReply<TrainingRun>>runCommand(r -> new ModelTraining.Alive(run.id(), r)).reply().isError());
    assertTrue(update(run.step(TrainingRun.Status.TRAINING, clock.instant(), "")).isError());
  }

  @Test
  void aWindowThatEndsBeforeItStartsIsRefused() {
    StatusReply<TrainingRun> r = start(T0, T0.minusSeconds(1));
    assertTrue(r.isError());
    assertTrue(r.getError().getMessage().startsWith("since"), r.getError().getMessage());
    assertTrue(kit.getState().runs().isEmpty());
  }

  @Test
  void keepsTheLatestRunsOnly() {
    for (int i = 0; i < ModelTraining.KEPT + 5; i++) {
      TrainingRun run = start(null, null).getValue();
      update(run.step(TrainingRun.Status.FAILED, clock.instant(), "only 3 behaviors"));
    }
    assertEquals(ModelTraining.KEPT, kit.getState().runs().size());
    assertEquals("run-" + (ModelTraining.KEPT + 5), kit.getState().runs().get(0).id());
  }
}
