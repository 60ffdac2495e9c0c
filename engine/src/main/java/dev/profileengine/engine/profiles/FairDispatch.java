package dev.profileengine.engine.profiles;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Shares the node's entities between API keys. Everything handed to entities queues first come,
 * first served further on (entity starts on the shared dispatcher, then the journal's writer), so a
 * client keeping thousands of events in flight put another client's single event behind all of them
 * (about 2 s). While one caller is active its sends all go out at once: deep queues make the
 * journal's commits big, which is what a lone client's throughput needs. While several are (a
 * caller stays active for {@link #LINGER} after its last answer, so a client sending one event
 * after the other counts between them), each may have at most its share of {@code window} events
 * out (and always one send); the rest wait for the caller's turn, callers taking turns, and the
 * requests of one caller too. A new caller's first send goes out at once; a heavy caller's wait
 * until its own are answered.
 *
 * <p>{@code window} 0 hands every send out at once, whoever sends it.
 */
final class FairDispatch {
  /** How long a caller with nothing out or waiting still counts as active. */
  static final long LINGER = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);

  private final int window;
  private final Executor executor;
  private final java.util.function.LongSupplier nanoTime;
  /** Callers with sends waiting, in turn order. */
  private final ArrayDeque<Caller> turns = new ArrayDeque<>();
  /** Callers with sends out or waiting, or answered within {@link #LINGER}. */
  private final Map<Object, Caller> callers = new HashMap<>();

  /** Completions run on {@code executor}, so a send that completes at once cannot recurse through the queue. */
  FairDispatch(int window, Executor executor) {
    this(window, executor, System::nanoTime);
  }

  FairDispatch(int window, Executor executor, java.util.function.LongSupplier nanoTime) {
    this.window = Math.max(0, window);
    this.executor = executor;
    this.nanoTime = nanoTime;
  }

  /** One request's place in its caller's turns; its sends go out in the order given. */
  Request request(Object caller) {
    return new Request(caller);
  }

  final class Request {
    private final Object caller;
    private final ArrayDeque<Send> sends = new ArrayDeque<>();
    private boolean queued;

    private Request(Object caller) {
      this.caller = caller;
    }

    /**
     * Empty when this request's caller may be admitted {@code units} more events under the node's
     * admission {@code bound}, else the refusal: while other callers are active, one that already
     * has events in flight may hold at most three quarters of the bound, so a heavy client filling
     * it cannot get another client's events refused. The bound's own check still applies after this.
     */
    Optional<Refusal> overShare(long units, InFlightLimit bound) {
      long limit = bound.limit();
      if (window == 0 || limit <= 0) return Optional.empty();
      long held;
      synchronized (FairDispatch.this) {
        purgeIdle(nanoTime.getAsLong());
        Caller c = callers.get(caller);
        held = c == null ? 0 : c.held;
        int active = callers.size() + (c == null ? 1 : 0);
        if (active < 2 || held == 0 || held + units <= limit - limit / 4) return Optional.empty();
      }
      long retry = bound.retryAfterSeconds();
      return Optional.of(new Refusal(Refusal.Reason.OVERLOADED, null, "node busy with other clients: this API key holds " + held
          + " events in flight, at most three quarters of the node's bound (" + limit + ") while other keys send; " + units
          + " more refused and nothing stored: retry after " + retry + " s", retry));
    }

    /** Starts {@code send} (worth {@code units} events) at this request's next turn; completes as it does. */
    <T> CompletionStage<T> send(int units, Supplier<CompletionStage<T>> send) {
      if (window == 0) return send.get();
      CompletableFuture<T> result = new CompletableFuture<>();
      List<Runnable> ready;
      synchronized (FairDispatch.this) {
        Caller caller = callers.computeIfAbsent(this.caller, Caller::new);
        Runnable start = () -> {
          CompletionStage<T> started;
          try {
            started = send.get();
          } catch (RuntimeException e) {
            started = CompletableFuture.failedFuture(e);
          }
          started.whenCompleteAsync((value, failure) -> {
            done(caller, units);
            if (failure != null) result.completeExceptionally(failure);
            else result.complete(value);
          }, executor);
        };
        sends.addLast(new Send(units, start));
        caller.held += units;
        if (!queued) {
          queued = true;
          if (caller.turns.isEmpty()) turns.addLast(caller);
          caller.turns.addLast(this);
        }
        ready = takeReady();
      }
      ready.forEach(Runnable::run);
      return result;
    }
  }

  private static final class Caller {
    final Object id;
    final ArrayDeque<Request> turns = new ArrayDeque<>();
    long out;
    /** Events waiting or out. */
    long held;
    long idleSince;

    Caller(Object id) {
      this.id = id;
    }
  }

  private record Send(int units, Runnable start) {}

  /** Whether {@code caller} may have {@code units} more out now, {@code active} callers sharing the window. */
  private boolean fits(Caller caller, int units, int active) {
    if (active < 2 || caller.out == 0) return true;
    return caller.out + units <= Math.max(1, window / active);
  }

  /** The sends whose turn it is and that fit, taken off the queue (run them outside the lock). */
  private List<Runnable> takeReady() {
    purgeIdle(nanoTime.getAsLong());
    int active = callers.size();
    List<Runnable> ready = new ArrayList<>();
    int skipped = 0;
    while (skipped < turns.size()) {
      Caller caller = turns.pollFirst();
      Request request = caller.turns.peekFirst();
      Send send = request.sends.peekFirst();
      if (!fits(caller, send.units(), active)) {
        turns.addLast(caller);
        skipped++;
        continue;
      }
      skipped = 0;
      request.sends.pollFirst();
      caller.out += send.units();
      ready.add(send.start());
      caller.turns.pollFirst();
      if (request.sends.isEmpty()) request.queued = false;
      else caller.turns.addLast(request);
      if (!caller.turns.isEmpty()) turns.addLast(caller);
    }
    return ready;
  }

  private void purgeIdle(long now) {
    callers.values().removeIf(c -> c.out == 0 && c.turns.isEmpty() && now - c.idleSince >= LINGER);
  }

  private void done(Caller caller, int units) {
    List<Runnable> ready;
    synchronized (this) {
      caller.out -= units;
      caller.held -= units;
      if (caller.out == 0) caller.idleSince = nanoTime.getAsLong();
      ready = takeReady();
    }
    ready.forEach(Runnable::run);
  }

  /** Events handed out and not yet answered (summed per scrape: nothing kept on the send path for it). */
  synchronized long out() {
    return callers.values().stream().mapToLong(c -> c.out).sum();
  }

  /** Events admitted and waiting for their caller's turn. */
  synchronized long waiting() {
    return callers.values().stream().mapToLong(c -> c.held - c.out).sum();
  }
}
