package dev.profileengine.engine.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.profileengine.engine.TestSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code profile.model.training.schedule}: off by default, a positive duration, else the node refuses to start naming it. */
class TrainingScheduleSettingTest {
  private static TrainingSettings with(String schedule) {
    return TrainingSettings.of(TestSettings.engineConfig(ConfigFactory.parseString("profile.model.training.schedule = " + schedule))
        .getConfig("profile.model.training"));
  }

  @Test
  void offByDefaultElseADuration() {
    assertEquals(Optional.empty(), TrainingSettings.of(TestSettings.engineConfig().getConfig("profile.model.training")).schedule());
    assertEquals(Optional.empty(), with("off").schedule());
    assertEquals(Optional.of(Duration.ofHours(24)), with("24h").schedule());
    assertEquals(Optional.of(Duration.ofSeconds(2)), with("\"2s\"").schedule());
  }

  @Test
  void aZeroNegativeOrUnparseableScheduleNamesTheSetting() {
    for (String bad : List.of("0s", "-1h", "daily", "on")) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> with(bad), bad);
      assertTrue(e.getMessage().startsWith("profile.model.training.schedule: "), e.getMessage());
    }
  }

  @Test
  void theNextRunIsAnIntervalAfterTheLatestStartedOrNowWhenNoneEverDid() {
    Instant now = Instant.parse("2026-12-05T12:00:00Z");
    Duration every = Duration.ofHours(24);
    assertEquals(now, TrainingSchedule.nextAt(ModelTraining.Runs.NONE, every, now));
    TrainingRun older = TrainingRun.start("run-1", "node", now.minusSeconds(90_000), null, null);
    TrainingRun latest = TrainingRun.start("run-2", "node", now.minusSeconds(3600), null, null);
    ModelTraining.Runs runs = ModelTraining.Runs.NONE.with(older).with(latest);
    assertEquals(latest.requestedAt().plus(every), TrainingSchedule.nextAt(runs, every, now));
  }
}
