package dev.profileengine.engine.profiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;

/** The admission bound on its own: what fits, what is refused, and that concurrent use never overshoots. */
class InFlightLimitTest {
  @Test
  void admitsWhatFitsAndRefusesTheRest() {
    InFlightLimit limit = new InFlightLimit("events", 100, 100, Duration.ofSeconds(1), Duration.ofSeconds(1));
    assertTrue(limit.tryAcquire(60));
    assertTrue(limit.tryAcquire(40));
    assertFalse(limit.tryAcquire(1), "the bound is full");
    assertEquals(100, limit.inFlight());
    limit.release(40, 1_000, true);
    assertFalse(limit.tryAcquire(41));
    assertTrue(limit.tryAcquire(40));
    assertTrue(limit.refusal(7).contains("100 events in flight (limit now 100), 7 more refused"), limit.refusal(7));
  }

  @Test
  void aRequestLargerThanTheBoundIsAdmittedWhenNothingIsInFlight() {
    InFlightLimit limit = new InFlightLimit("events", 10, 10, Duration.ofSeconds(1), Duration.ofSeconds(1));
    assertTrue(limit.tryAcquire(500));
    assertFalse(limit.tryAcquire(1));
    limit.release(500, 1_000, true);
    assertTrue(limit.tryAcquire(1));
  }

  @Test
  void zeroMeansUnboundedButStillCounted() {
    InFlightLimit limit = new InFlightLimit("reads", 0, 0, Duration.ofSeconds(1), Duration.ofSeconds(1));
    for (int i = 0; i < 1000; i++) assertTrue(limit.tryAcquire(1_000));
    assertEquals(1_000_000, limit.inFlight());
  }

  @Test
  void slowAnswersShrinkTheBoundAndAnswersOnTimeGrowItBack() throws Exception {
    Duration target = Duration.ofMillis(50);
    InFlightLimit limit = new InFlightLimit("events", 8000, 1000, target, Duration.ofSeconds(1));
    long slow = target.toNanos() * 3;
    assertTrue(limit.tryAcquire(500));
    limit.release(500, target.toNanos() * 10 / 9, true);
    assertEquals(6400, limit.limit(), "a little slow: a fifth off at least");
    assertTrue(limit.tryAcquire(500));
    limit.release(500, 1_000, false);
    assertEquals(6400, limit.limit(), "at most one decrease per " + InFlightLimit.DECREASE_EVERY);
    Thread.sleep(InFlightLimit.DECREASE_EVERY.toMillis() + 5);
    assertTrue(limit.tryAcquire(500));
    limit.release(500, slow, true);
    assertEquals(3200, limit.limit(), "three times the target: halved");
    for (int i = 0; i < 4; i++) {
      Thread.sleep(InFlightLimit.DECREASE_EVERY.toMillis() + 5);
      assertTrue(limit.tryAcquire(500));
      limit.release(500, slow, true);
    }
    assertEquals(1000, limit.limit(), "never below min");
    assertTrue(limit.tryAcquire(900));
    assertFalse(limit.tryAcquire(200), "the shrunk bound refuses what the maximum would take");
    limit.release(900, 1_000, true);
    for (int i = 0; i < 100; i++) {
      assertTrue(limit.tryAcquire(400));
      limit.release(400, 1_000, true);
    }
    assertEquals(8000, limit.limit(), "answers on time grow it back, up to the maximum");
  }

  @Test
  void concurrentAcquirersNeverExceedTheBound() throws Exception {
    InFlightLimit limit = new InFlightLimit("events", 1000, 1000, Duration.ofSeconds(1), Duration.ofSeconds(1));
    AtomicLong peak = new AtomicLong();
    AtomicLongArray admitted = new AtomicLongArray(4);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    for (int t = 0; t < 4; t++) {
      int id = t;
      pool.submit(() -> {
        for (int i = 0; i < 200_000; i++) {
          int units = 1 + (i % 97);
          if (limit.tryAcquire(units)) {
            peak.accumulateAndGet(limit.inFlight(), Math::max);
            admitted.incrementAndGet(id);
            limit.release(units, 1_000, true);
          }
        }
      });
    }
    pool.shutdown();
    assertTrue(pool.awaitTermination(60, TimeUnit.SECONDS));
    assertEquals(0, limit.inFlight());
    assertTrue(peak.get() <= 1000, "peak " + peak.get());
    for (int t = 0; t < 4; t++) assertTrue(admitted.get(t) > 0);
  }
}
