package dev.profileengine.engine.profiles;

import akka.NotUsed;
import akka.stream.javadsl.Source;
import com.typesafe.config.Config;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The change-stream subscribers (every protocol's subscriptions go through {@link Profiles#subscribe})
 * a node serves at once, in all and per API key: each holds a read-ahead buffer and a
 * journal query, so beyond the caps a subscription is refused (HTTP 429, gRPC RESOURCE_EXHAUSTED)
 * instead of taking the node's memory. A place is given back when its stream ends by any path.
 */
public final class SubscriberLimit {
  private final int maxPerNode;
  private final int maxPerKey;
  private final ProfileMetrics metrics;
  private final akka.actor.ClassicActorSystemProvider system;
  private final java.time.Duration unclaimedAfter;
  private final AtomicInteger open = new AtomicInteger();
  private final ConcurrentHashMap<String, AtomicInteger> perKey = new ConcurrentHashMap<>();

  /**
   * @param unclaimedAfter a place whose stream has not started by then is given back (its response
   *     was never sent: the client went away first), so no path keeps a place forever
   */
  public SubscriberLimit(int maxPerNode, int maxPerKey, ProfileMetrics metrics, akka.actor.ClassicActorSystemProvider system,
                         java.time.Duration unclaimedAfter) {
    this.system = system;
    this.unclaimedAfter = unclaimedAfter;
    if (maxPerNode < 1 || maxPerKey < 1) {
      throw new IllegalArgumentException("profile.changes.max-subscribers and max-subscribers-per-key must be at least 1");
    }
    this.maxPerNode = maxPerNode;
    this.maxPerKey = maxPerKey;
    this.metrics = metrics;
  }

  /** The caps: subscribers per node and per API key. */
  public record Caps(int perNode, int perKey) {
    /** From {@code profile.changes.max-subscribers} and {@code max-subscribers-per-key}. */
    public static Caps from(Config root) {
      Config c = root.getConfig("profile.changes");
      return new Caps(c.getInt("max-subscribers"), c.getInt("max-subscribers-per-key"));
    }
  }

  SubscriberLimit(Caps caps, ProfileMetrics metrics, akka.actor.ClassicActorSystemProvider system) {
    this(caps.perNode(), caps.perKey(), metrics, system, UNCLAIMED_AFTER);
  }

  /** How long a granted place waits for its stream to start. */
  static final java.time.Duration UNCLAIMED_AFTER = java.time.Duration.ofSeconds(30);

  /** A place held by one subscriber; {@link #release} gives it back (once, whatever calls it). */
  public final class Permit {
    private final String key;
    private final AtomicBoolean released = new AtomicBoolean();

    private Permit(String key) {
      this.key = key;
    }

    public void release() {
      if (!released.compareAndSet(false, true)) return;
      if (key != null) perKey.computeIfPresent(key, (k, n) -> n.decrementAndGet() == 0 ? null : n);
      open.decrementAndGet();
      metrics.changeSubscribers.dec();
    }

    /** {@code source}, releasing this place when it completes, fails or is cancelled, or if it never starts. */
    public <T> Source<T, NotUsed> holding(Source<T, NotUsed> source) {
      AtomicBoolean started = new AtomicBoolean();
      system.classicSystem().scheduler().scheduleOnce(unclaimedAfter, () -> {
        if (!started.get()) release();
      }, system.classicSystem().dispatcher());
      return source.watchTermination((notUsed, done) -> {
        started.set(true);
        done.whenComplete((d, e) -> release());
        return notUsed;
      });
    }
  }

  /** A place for a subscriber of API key {@code key} (empty: an open node's caller, bound by the node's cap only), or why not. */
  public sealed interface Admission {
    record Admitted(Permit permit) implements Admission {}

    record Refused(Refusal refusal) implements Admission {}
  }

  public Admission tryAcquire(java.util.Optional<String> caller) {
    if (open.incrementAndGet() > maxPerNode) {
      open.decrementAndGet();
      return refused(Refusal.Reason.SUBSCRIBERS_PER_NODE, "max-subscribers", "this node serves at most " + maxPerNode + " change-stream subscribers (PROFILE_MAX_SUBSCRIBERS): retry later");
    }
    if (caller.isEmpty()) {
      metrics.changeSubscribers.inc();
      return new Admission.Admitted(new Permit(null));
    }
    String key = caller.get();
    boolean[] admitted = {false};
    perKey.compute(key, (k, n) -> {
      AtomicInteger count = n == null ? new AtomicInteger() : n;
      if (count.get() < maxPerKey) {
        count.incrementAndGet();
        admitted[0] = true;
      }
      return count.get() == 0 ? null : count;
    });
    if (!admitted[0]) {
      open.decrementAndGet();
      return refused(Refusal.Reason.SUBSCRIBERS_PER_KEY, "max-subscribers-per-key", "this API key holds its " + maxPerKey
          + " change-stream subscriptions on this node (PROFILE_MAX_SUBSCRIBERS_PER_KEY): close one or retry later");
    }
    metrics.changeSubscribers.inc();
    return new Admission.Admitted(new Permit(key));
  }

  /** Subscribers open now on this node. */
  public int open() {
    return open.get();
  }

  /** {@code limit} names the cap (the metric's label and the refusal's field). */
  private Admission refused(Refusal.Reason reason, String limit, String message) {
    metrics.subscribersRefused.labelValues(limit).inc();
    return new Admission.Refused(new Refusal(reason, limit, message, RETRY_AFTER_SECONDS));
  }

  /** The Retry-After of a refusal, in seconds. */
  public static final long RETRY_AFTER_SECONDS = 1;
}
