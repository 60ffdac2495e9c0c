package dev.profileengine.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import com.typesafe.config.ConfigFactory;
import dev.profileengine.engine.profiles.ProfileMetrics;
import dev.profileengine.engine.profiles.SubscriberLimit;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The subscriber caps: per node, per key, and every place given back, even when its stream never starts. */
class SubscriberLimitTest {
  static ActorSystem<Void> system;

  @BeforeAll
  static void start() {
    system = ActorSystem.create(Behaviors.empty(), "subscriber-limit-test",
        ConfigFactory.parseString("akka.actor.provider = local").withFallback(ConfigFactory.defaultReference()));
  }

  @AfterAll
  static void stop() {
    system.terminate();
  }

  static SubscriberLimit.Permit admitted(SubscriberLimit.Admission a) {
    return assertInstanceOf(SubscriberLimit.Admission.Admitted.class, a).permit();
  }

  static String refusedLimit(SubscriberLimit.Admission a) {
    return assertInstanceOf(SubscriberLimit.Admission.Refused.class, a).refusal().field();
  }

  @Test
  void capsPerKeyAndPerNode() {
    SubscriberLimit limit = new SubscriberLimit(3, 2, new ProfileMetrics(), system, Duration.ofMinutes(1));
    SubscriberLimit.Permit a1 = admitted(limit.tryAcquire(Optional.of("a")));
    admitted(limit.tryAcquire(Optional.of("a")));
    assertEquals("max-subscribers-per-key", refusedLimit(limit.tryAcquire(Optional.of("a"))));
    admitted(limit.tryAcquire(Optional.of("b")));
    assertEquals("max-subscribers", refusedLimit(limit.tryAcquire(Optional.of("c"))));
    assertEquals(3, limit.open());
    a1.release();
    a1.release(); // once only
    assertEquals(2, limit.open());
    admitted(limit.tryAcquire(Optional.of("a")));
  }

  /** An open node's clients are all one caller: only the node's cap bounds them (the per-key cap would cut the node's to it). */
  @Test
  void anOpenNodesCallerIsBoundByTheNodesCapOnly() {
    SubscriberLimit limit = new SubscriberLimit(3, 1, new ProfileMetrics(), system, Duration.ofMinutes(1));
    SubscriberLimit.Permit first = admitted(limit.tryAcquire(Optional.empty()));
    admitted(limit.tryAcquire(Optional.empty()));
    admitted(limit.tryAcquire(Optional.empty()));
    assertEquals("max-subscribers", refusedLimit(limit.tryAcquire(Optional.empty())));
    first.release();
    assertEquals(2, limit.open());
    admitted(limit.tryAcquire(Optional.empty()));
  }

  @Test
  void aPlaceComesBackWhenItsStreamEndsOrNeverStarts() throws Exception {
    SubscriberLimit limit = new SubscriberLimit(10, 10, new ProfileMetrics(), system, Duration.ofMillis(300));
    SubscriberLimit.Permit ran = admitted(limit.tryAcquire(Optional.of("k")));
    ran.holding(Source.range(1, 3)).runWith(Sink.ignore(), system).toCompletableFuture().get(10, TimeUnit.SECONDS);
    SubscriberLimit.Permit cancelled = admitted(limit.tryAcquire(Optional.of("k")));
    cancelled.holding(Source.<Integer>maybe().mapMaterializedValue(m -> akka.NotUsed.getInstance())).take(0)
        .runWith(Sink.ignore(), system).toCompletableFuture().get(10, TimeUnit.SECONDS);
    SubscriberLimit.Permit neverStarted = admitted(limit.tryAcquire(Optional.of("k")));
    neverStarted.holding(Source.single(1)); // a response never sent: the source is never run
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (limit.open() > 0 && System.nanoTime() < deadline) Thread.sleep(20); // poll with a deadline
    assertEquals(0, limit.open(), "every place given back");
    assertTrue(limit.tryAcquire(Optional.of("k")) instanceof SubscriberLimit.Admission.Admitted);
  }
}
