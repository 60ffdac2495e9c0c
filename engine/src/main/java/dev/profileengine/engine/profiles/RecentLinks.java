package dev.profileengine.engine.profiles;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.pubsub.Topic;
import io.prometheus.metrics.core.metrics.Counter;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The identity keys of claims carried by events that this node linked lately, with when: an event
 * stream repeats its user id and anonymous id on every event, and a link already made needs no
 * asks. Keys, not the claims: personal values are kept hashed only. Entries older than a minute are
 * asked again. A forget or an unmerge on any node of the cluster clears every node's (a cluster
 * topic, best effort: a node that misses the message still asks again after the minute).
 */
final class RecentLinks {
  private static final int MAX = 100_000;
  private static final long LINKED_FOR = Duration.ofMinutes(1).toNanos();
  private static final String TOPIC = "identity-links-changed";
  /** Actor names must be unique in a system: tests start more than one facade per system. */
  private static final AtomicInteger INSTANCES = new AtomicInteger();

  private final Map<List<String>, Long> linked = Collections.synchronizedMap(new LinkedHashMap<>(1024, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<List<String>, Long> eldest) {
      return size() > MAX;
    }
  });
  private final AtomicLong generation = new AtomicLong();
  private final ActorRef<Topic.Command<String>> topic;
  private final Counter clears;

  RecentLinks(ActorSystem<?> system, Counter clears) {
    this.clears = clears;
    int n = INSTANCES.incrementAndGet();
    this.topic = system.systemActorOf(Topic.create(String.class, TOPIC), "identity-links-topic-" + n, Props.empty());
    ActorRef<String> listener = system.systemActorOf(Behaviors.<String>receiveMessage(changed -> {
      generation.incrementAndGet();
      linked.clear();
      clears.labelValues("topic").inc();
      return Behaviors.same();
    }), "identity-links-listener-" + n, Props.empty());
    topic.tell(Topic.subscribe(listener));
  }

  /** Whether this node linked exactly these identity keys within the last minute. */
  boolean linkedLately(List<String> keys) {
    Long at = linked.get(keys);
    return at != null && System.nanoTime() - at < LINKED_FOR;
  }

  /** How many times the links were changed (cleared) so far: a link started now is remembered only if none happens before it ends. */
  long generation() {
    return generation.get();
  }

  /**
   * These identity keys were linked (and the link settled) just now, by a link started at
   * {@code since} ({@link #generation()}): not remembered if links changed meanwhile (an unmerge
   * may have split what it resolved).
   */
  void linked(List<String> keys, long since) {
    synchronized (linked) {
      if (generation.get() == since) linked.put(keys, System.nanoTime());
    }
  }

  /**
   * Links were erased or split (a forget, an unmerge): this node's are cleared now, before the
   * caller answers, and every other node is told to clear its own.
   */
  void changed() {
    generation.incrementAndGet();
    linked.clear();
    clears.labelValues("local").inc();
    topic.tell(Topic.publish(TOPIC));
  }
}
