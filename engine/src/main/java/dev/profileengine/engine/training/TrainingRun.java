package dev.profileengine.engine.training;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.profileengine.engine.cbor.CborSerializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One run of the model feedback loop, as journaled after each of its steps: export the journal's
 * behaviors in an event-time window, train a candidate, compare it offline with the serving model,
 * serve it as the A/B candidate, compare the two online, then promote it or roll it back.
 *
 * @param id {@code run-<n>}, in order of requests
 * @param node the node running it (the one that took the request)
 * @param since first event time of the window (inclusive)
 * @param until last event time of the window (inclusive)
 * @param events behaviors exported for training, {@code users} their users
 * @param candidate the version trained (null until named)
 * @param serving the version it is compared with
 * @param offlineCandidate held-out quality of the candidate on the window's latest events (null until evaluated)
 * @param offlineServing the serving model's on the same events (null when it could not be scored)
 * @param onlineCandidate predictions of the candidate scored against the behavior that came next, since it was deployed
 * @param onlineServing the serving model's over the same time
 * @param reason why the run ended as it did (null while running)
 * @param steps every status the run went through, with when and a detail
 */
public record TrainingRun(String id, Status status, String node, Instant requestedAt, Instant updatedAt, Instant since,
    Instant until, long events, long users, String candidate, String serving, Quality offlineCandidate,
    Quality offlineServing, Online onlineCandidate, Online onlineServing, String reason, List<Step> steps)
    implements CborSerializable {

  public TrainingRun {
    steps = List.copyOf(steps);
  }

  public enum Status {
    EXPORTING, TRAINING, EVALUATING, COMPARING, PROMOTED, ROLLED_BACK, REJECTED, FAILED, ABANDONED;

    public boolean ended() {
      return ordinal() >= PROMOTED.ordinal();
    }
  }

  /** Offline (held-out) quality, the keys of {@code model-store evaluate --json}. */
  public record Quality(double accuracy, double macroF1, double logLoss, Double categoryHitRateAt10) {}

  /** Online quality: predictions scored, share decided right, mean log-loss of the actual behavior. */
  public record Online(long scored, double accuracy, double logLoss) {
    public static final Online NONE = new Online(0, 0, 0);
  }

  public record Step(Status status, Instant at, String detail) {}

  /** A new run, exporting. */
  public static TrainingRun start(String id, String node, Instant at, Instant since, Instant until) {
    return new TrainingRun(id, Status.EXPORTING, node, at, at, since, until, 0, 0, null, null, null, null, null, null, null,
        List.of(new Step(Status.EXPORTING, at, window(since, until))));
  }

  private static String window(Instant since, Instant until) {
    return "event-time window " + (since == null ? "(default)" : since) + " .. " + (until == null ? "(newest event)" : until);
  }

  @JsonIgnore
  public boolean ended() {
    return status.ended();
  }

  /** This run moved on to {@code next} at {@code at}; {@code detail} says what the step found. */
  public TrainingRun step(Status next, Instant at, String detail) {
    List<Step> s = new ArrayList<>(steps);
    s.add(new Step(next, at, detail));
    return new TrainingRun(id, next, node, requestedAt, at, since, until, events, users, candidate, serving, offlineCandidate,
        offlineServing, onlineCandidate, onlineServing, next.ended() ? detail : reason, s);
  }

  public TrainingRun exported(Instant since, Instant until, long events, long users) {
    return new TrainingRun(id, status, node, requestedAt, updatedAt, since, until, events, users, candidate, serving,
        offlineCandidate, offlineServing, onlineCandidate, onlineServing, reason, steps);
  }

  public TrainingRun trained(String candidate, String serving) {
    return new TrainingRun(id, status, node, requestedAt, updatedAt, since, until, events, users, candidate, serving,
        offlineCandidate, offlineServing, onlineCandidate, onlineServing, reason, steps);
  }

  public TrainingRun evaluated(Quality candidate, Quality serving) {
    return new TrainingRun(id, status, node, requestedAt, updatedAt, since, until, events, users, this.candidate, this.serving,
        candidate, serving, onlineCandidate, onlineServing, reason, steps);
  }

  public TrainingRun compared(Online candidate, Online serving, Instant at) {
    return new TrainingRun(id, status, node, requestedAt, at, since, until, events, users, this.candidate, this.serving,
        offlineCandidate, offlineServing, candidate, serving, reason, steps);
  }
}
