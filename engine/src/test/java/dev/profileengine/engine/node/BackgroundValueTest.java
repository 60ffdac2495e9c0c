package dev.profileengine.engine.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Reads come from memory: however many, at most one load per interval, and never two at once. */
class BackgroundValueTest {
  private static final ActorTestKit TESTKIT = ActorTestKit.create();

  @AfterAll
  static void stop() {
    TESTKIT.shutdownTestKit();
  }

  @Test
  void manyReadsCostOneLoadPerInterval() throws Exception {
    AtomicInteger queries = new AtomicInteger();
    BackgroundValue<Integer> v = BackgroundValue.start(TESTKIT.system(), Duration.ofMillis(200),
        () -> CompletableFuture.completedFuture(queries.incrementAndGet()));
    assertTrue(v.latestOrFirst().toCompletableFuture().get(5, TimeUnit.SECONDS).value() >= 1);
    long start = System.nanoTime();
    long reads = 0;
    while (System.nanoTime() - start < Duration.ofSeconds(1).toNanos()) {
      assertTrue(v.latest().value() >= 1);
      reads++;
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    assertTrue(reads > 10_000, "reads " + reads);
    assertTrue(queries.get() <= seconds / 0.2 + 2, queries.get() + " loads for " + reads + " reads in " + seconds + " s");
    assertEquals(queries.get(), v.loads());
  }

  @Test
  void aSlowLoadIsNotStartedAgainWhileItRuns() throws Exception {
    AtomicInteger started = new AtomicInteger();
    CompletableFuture<Integer> never = new CompletableFuture<>();
    BackgroundValue<Integer> v = BackgroundValue.start(TESTKIT.system(), Duration.ofMillis(20), () -> {
      started.incrementAndGet();
      return never;
    });
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (started.get() == 0 && System.nanoTime() < deadline) Thread.onSpinWait();
    // 25 intervals pass with the first load still running: none other starts, no reading yet
    AtomicInteger startedWhileRunning = new AtomicInteger(-1);
    TESTKIT.system().scheduler().scheduleOnce(Duration.ofMillis(500), () -> {
      startedWhileRunning.set(started.get());
      never.complete(7);
    }, TESTKIT.system().executionContext());
    assertEquals(7, v.latestOrFirst().toCompletableFuture().get(5, TimeUnit.SECONDS).value());
    assertEquals(1, startedWhileRunning.get());
  }
}
