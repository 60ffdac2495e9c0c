package dev.profileengine.engine;

import akka.actor.typed.javadsl.ActorContext;
import dev.profileengine.engine.model.ModelService;
import dev.profileengine.profile.BehaviorEvent;
import dev.profileengine.profile.Consent;
import dev.profileengine.profile.ProfilePrediction;
import dev.profileengine.profile.ProfileSettings;
import dev.profileengine.profile.ProfileState;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A profile's next-behavior predictions from the node's inference pool: at most one request in
 * flight per profile; events recorded meanwhile coalesce into one request made when it answers.
 */
final class PredictionRequests {
  private final ActorContext<UserProfile.Command> context;
  private final String userId;
  private final UserProfile.Env env; // the node's settings and models (models null: predictions are off)
  private boolean inFlight;
  private CompletableFuture<ProfilePrediction> beforeWrite; // the request a waiting write asked
  // The latest event recorded while a request was in flight: the next request is as of it.
  private String coalescedEventId;

  PredictionRequests(ActorContext<UserProfile.Command> context, String userId, UserProfile.Env env) {
    this.context = context;
    this.userId = userId;
    this.env = env;
  }

  private ModelService models() {
    return env.models();
  }

  private ProfileSettings profile() {
    return env.settings().profile();
  }

  /** Whether a prediction was asked for and has not answered yet. */
  boolean inFlight() {
    return inFlight;
  }

  /** Whether nothing is in flight, coalesced or waited for: the requests hold nothing then. */
  boolean idle() {
    return !inFlight && beforeWrite == null && coalescedEventId == null;
  }

  /** Online feedback: {@code next}, the first newly recorded event, is what the current prediction was about. */
  static void scoreLast(UserProfile.Env env, ProfileState state, BehaviorEvent next) {
    ProfilePrediction p = state.prediction();
    if (env.models() == null || p == null || p.asOfEventCount() != state.eventCount()) return;
    if (next.timeMillis() >= state.lastEventMillis()) env.models().feedback(p, next.type());
  }

  /**
   * Whether a write may wait for its prediction: predictions on, a wait configured and no request
   * in flight (one already in flight is coalesced into instead). Cheap: asked before the write's
   * state is folded.
   */
  boolean writeMayWait() {
    return models() != null && !env.settings().predictionWait().isZero() && !inFlight;
  }

  /**
   * Asks the pool for the prediction as of {@code next} for the write waiting on it, if the profile
   * allows personalization (false: nothing asked, the write goes ahead): answers {@link
   * UserProfile.WritePredicted} within the wait, empty if none came in time (see {@link #writePredicted}).
   */
  boolean requestBeforeWrite(ProfileState next, String eventId) {
    if (!next.allows(Consent.Purpose.PERSONALIZATION, profile())) return false;
    inFlight = true;
    CompletableFuture<ProfilePrediction> asked = models().predict(userId, next.recentBehaviors(), next.historyCounters(), next.eventCount(), eventId).toCompletableFuture();
    beforeWrite = asked;
    context.pipeToSelf(asked.copy().orTimeout(env.settings().predictionWait().toNanos(), TimeUnit.NANOSECONDS),
        (p, failure) -> new UserProfile.WritePredicted(failure == null ? Optional.of(p) : Optional.empty()));
    return true;
  }

  /**
   * The waiting write goes ahead, with its prediction or without: then the request stays in flight
   * and its answer, when it comes, is journaled by itself (a {@link UserProfile.PredictionReady}).
   */
  void writePredicted(Optional<ProfilePrediction> prediction) {
    CompletableFuture<ProfilePrediction> asked = beforeWrite;
    beforeWrite = null;
    if (prediction.isPresent()) {
      inFlight = false;
      return;
    }
    context.pipeToSelf(asked,
        (p, failure) -> failure == null ? new UserProfile.PredictionReady(p) : new UserProfile.PredictionFailed(failure.toString()));
  }

  /** Asks the pool for a prediction as of {@code eventId}, or coalesces it into the next request. */
  void request(ProfileState state, String eventId) {
    if (models() == null || !state.allows(Consent.Purpose.PERSONALIZATION, profile())) return;
    if (inFlight) {
      coalescedEventId = eventId;
      return;
    }
    inFlight = true;
    context.pipeToSelf(models().predict(userId, state.recentBehaviors(), state.historyCounters(), state.eventCount(), eventId),
        (p, failure) -> failure == null ? new UserProfile.PredictionReady(p) : new UserProfile.PredictionFailed(failure.toString()));
  }

  /** The request in flight answered: returns the event coalesced meanwhile, to request next (null: none). */
  String answered() {
    inFlight = false;
    String next = coalescedEventId;
    coalescedEventId = null;
    return next;
  }

  /** Whether {@code prediction} is newer than the profile's and may be kept under its consent. */
  static boolean keeps(UserProfile.Env env, ProfileState state, ProfilePrediction prediction) {
    ProfilePrediction current = state.prediction();
    ProfileSettings profile = env.settings().profile();
    return (current == null || prediction.asOfEventCount() > current.asOfEventCount())
        && state.allows(Consent.Purpose.PERSONALIZATION, profile)
        && state.allows(Consent.Purpose.ANALYTICS, profile); // none kept without behavior data
  }

  /** The pool could not answer: the profile keeps its previous prediction and nothing coalesced is requested. */
  void failed(String reason) {
    inFlight = false;
    coalescedEventId = null;
    context.getLog().debug("Prediction for {} not refreshed: {}", userId, reason);
  }
}
