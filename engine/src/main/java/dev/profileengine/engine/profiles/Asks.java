package dev.profileengine.engine.profiles;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;

/** An ask that the entity did not answer in time becomes a typed refusal, so no protocol sees Akka's exceptions. */
final class Asks {
  private Asks() {}

  static <T> CompletionStage<Outcome<T>> timeoutRefused(CompletionStage<Outcome<T>> asked) {
    return asked.exceptionallyCompose(failure -> {
      Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
      // akka.pattern.AskTimeoutException is a TimeoutException
      if (cause instanceof TimeoutException) return CompletableFuture.completedFuture(new Outcome.Refused<>(Refusal.timedOut()));
      return CompletableFuture.failedFuture(cause);
    });
  }
}
