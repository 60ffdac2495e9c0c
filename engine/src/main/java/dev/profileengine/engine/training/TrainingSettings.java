package dev.profileengine.engine.training;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code profile.model.training} (engine-model.conf): how the feedback loop trains, where, and the
 * rule that promotes or rolls back what it trained.
 *
 * @param trainerJar the model tools ({@code model-store.jar}); training runs it as a separate process
 * @param javaOptions options of that process (heap, processors)
 * @param nice the process's scheduling niceness (0..19; 19: ingest gets the CPU first)
 * @param workDir where a run's data and log files go (the data file is deleted when the run ends)
 * @param window the event-time window trained on, ending at the newest behavior, when a request names none
 * @param maxEvents the newest behaviors of the window trained on at most (the trainer's memory grows with them)
 * @param minEvents fewer behaviors in the window: the run fails without training
 * @param epochs training epochs (0: the trainer's default)
 * @param timeout a training or evaluation process running longer is stopped and the run fails
 * @param candidatePercent share of users the candidate serves while compared online
 * @param checkInterval how often the online comparison is read while it runs
 * @param staleAfter a run whose node sent no sign of life for this long is abandoned by the next request
 * @param schedule how often the cluster starts a run by itself (empty: only on request)
 */
public record TrainingSettings(Path trainerJar, List<String> javaOptions, int nice, Path workDir, Duration window, long maxEvents, long minEvents,
    int epochs, Duration timeout, int candidatePercent, Duration checkInterval, Duration staleAfter, PromotionRule rule, Optional<Duration> schedule) {

  public TrainingSettings {
    if (nice < 0 || nice > 19) throw new IllegalArgumentException("profile.model.training.nice: 0..19, was " + nice);
    if (candidatePercent < 1 || candidatePercent > 100)
      throw new IllegalArgumentException("profile.model.training.candidate-percent: 1..100, was " + candidatePercent);
    if (maxEvents < 1 || maxEvents > Integer.MAX_VALUE - 8)
      throw new IllegalArgumentException("profile.model.training.max-events: 1.." + (Integer.MAX_VALUE - 8) + ", was " + maxEvents);
    if (epochs < 0) throw new IllegalArgumentException("profile.model.training.epochs: >= 0, was " + epochs);
    if (schedule.isPresent() && (schedule.get().isZero() || schedule.get().isNegative()))
      throw new IllegalArgumentException("profile.model.training.schedule: off or a positive duration (24h), was " + schedule.get());
    javaOptions = List.copyOf(javaOptions);
  }

  /** Reads {@code c} = {@code profile.model.training}. */
  public static TrainingSettings of(Config c) {
    try {
      return new TrainingSettings(Path.of(c.getString("trainer-jar")), List.of(c.getString("java-options").trim().split("\\s+")),
          c.getInt("nice"), Path.of(c.getString("work-dir")), c.getDuration("window"), c.getLong("max-events"), c.getLong("min-events"), c.getInt("epochs"),
          c.getDuration("timeout"), c.getInt("candidate-percent"), c.getDuration("check-interval"), c.getDuration("stale-after"),
          new PromotionRule(c.getDouble("offline-max-log-loss-ratio"), c.getLong("min-scored"), c.getDouble("max-log-loss-ratio"),
              c.getDuration("max-compare")), schedule(c));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage().startsWith("profile.") ? e.getMessage() : "profile.model.training: " + e.getMessage(), e);
    }
  }

  /** {@code schedule}: {@code off}, else a duration (HOCON reads an unquoted {@code off} as the string "false"). */
  private static Optional<Duration> schedule(Config c) {
    String raw = c.getString("schedule").trim();
    if (raw.equalsIgnoreCase("off") || raw.equalsIgnoreCase("false")) return Optional.empty();
    try {
      return Optional.of(c.getDuration("schedule"));
    } catch (ConfigException e) {
      throw new IllegalArgumentException("profile.model.training.schedule: off or a duration (24h), was '" + raw + "'", e);
    }
  }
}
