package dev.profileengine.engine.node;

import akka.actor.typed.ActorSystem;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A value loaded in the background every {@code interval} (one load at a time) and read from memory:
 * open endpoints ({@code /ready}, {@code /metrics}) answer from it, so a flood of them costs no query.
 */
public final class BackgroundValue<T> {
  /** A loaded value and when it was loaded ({@link System#nanoTime()}). */
  public record Reading<T>(T value, long atNanos) {
    public Duration age() {
      return Duration.ofNanos(System.nanoTime() - atNanos);
    }
  }

  private final Supplier<CompletionStage<T>> load;
  private final AtomicBoolean loading = new AtomicBoolean();
  private final AtomicLong loads = new AtomicLong();
  private final CompletableFuture<Reading<T>> first = new CompletableFuture<>();
  private volatile Reading<T> latest;

  private BackgroundValue(Supplier<CompletionStage<T>> load) {
    this.load = load;
  }

  /** Starts loading now and then every {@code interval} after the previous load was started. */
  public static <T> BackgroundValue<T> start(ActorSystem<?> system, Duration interval, Supplier<CompletionStage<T>> load) {
    BackgroundValue<T> v = new BackgroundValue<>(load);
    system.scheduler().scheduleWithFixedDelay(Duration.ZERO, interval, v::refresh, system.executionContext());
    return v;
  }

  private void refresh() {
    if (!loading.compareAndSet(false, true)) return; // the previous load is still running: skip, never pile up
    loads.incrementAndGet();
    CompletionStage<T> stage;
    try {
      stage = load.get();
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    stage.whenComplete((value, failure) -> {
      if (failure == null) {
        Reading<T> r = new Reading<>(value, System.nanoTime());
        latest = r;
        first.complete(r);
      }
      loading.set(false);
    });
  }

  /** The latest loaded value, or null before the first load completed. */
  public Reading<T> latest() {
    return latest;
  }

  /** The latest reading, or (before there is one) the first load when it completes. */
  public CompletionStage<Reading<T>> latestOrFirst() {
    Reading<T> r = latest;
    return r != null ? CompletableFuture.completedFuture(r) : first;
  }

  /** Loads started so far: at most one per interval however often the value is read. */
  public long loads() {
    return loads.get();
  }
}
