package dev.profileengine.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.profileengine.engine.journal.JournalDurability;
import dev.profileengine.engine.segments.SegmentRecheck;
import dev.profileengine.model.inference.ModelSettings;
import dev.profileengine.model.recommend.RecommendWeights;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The engine's settings from its configuration. Environment variables reach them through the
 * {@code ${?PROFILE_...}} mappings of the .conf files: a root key of the same name stands in for the
 * variable here (HOCON looks a substitution up in the configuration before the environment).
 */
class EngineSettingsTest {

  private static EngineSettings withEnvironment(Map<String, Object> variables) {
    return EngineSettings.from(TestSettings.engineConfig(ConfigFactory.parseMap(variables)));
  }

  @Test
  void defaultsOfTheEngineConf() {
    EngineSettings s = TestSettings.defaults();
    ModelSettings model = s.model().orElseThrow();
    assertEquals(Path.of("model-store/models"), model.registryDir());
    assertEquals(Runtime.getRuntime().availableProcessors(), model.pool().workers(), "0 workers: one per core");
    assertEquals(64, model.pool().maxBatch());
    assertEquals(Duration.ofMillis(2), model.pool().maxDelay());
    assertEquals(20_000, model.pool().queueCapacity());
    assertEquals(1, model.torchThreads());
    assertFalse(model.hasCandidate());
    assertEquals(new EngineSettings.Health(Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(15)), s.health());
    assertEquals(4096, s.changes().liveReadAhead());
    assertEquals(new EngineSettings.Recommendations(RecommendWeights.DEFAULT, 100), s.recommendations());
    assertEquals(256, s.numberOfShards());
    assertEquals(new EngineSettings.Management("127.0.0.1", 8558), s.management());
    assertEquals(JournalDurability.H2_COMMIT, s.journal().durability());
    assertEquals(Path.of("./data").toAbsolutePath().normalize(), s.journal().dataDir());
    assertEquals(new ClusterShape("config", List.of(), new ClusterShape.HostPort("127.0.0.1", 25520), "127.0.0.1", false), s.cluster());
    assertEquals(new SegmentRecheckSettings(Optional.of(Duration.ofHours(1)), SegmentRecheckSettings.Clock.WALL), s.segmentRecheck());
    assertEquals(Duration.ofSeconds(10), s.askTimeout());
  }

  @Test
  void environmentVariablesReachTheSettingsThroughTheConf() {
    EngineSettings s = withEnvironment(Map.ofEntries(
        Map.entry("PROFILE_MODELS_DIR", "/srv/models"),
        Map.entry("PROFILE_INFERENCE_WORKERS", "3"),
        Map.entry("PROFILE_TORCH_THREADS", "2"),
        Map.entry("PROFILE_MODEL_CANDIDATE", "nb-gru-v2"),
        Map.entry("PROFILE_MODEL_CANDIDATE_PERCENT", "10"),
        Map.entry("PROFILE_CHANGE_LIVE_READ_AHEAD", "100"),
        Map.entry("PROFILE_SEED_NODES", "10.0.0.1:25520, 10.0.0.2:25520"),
        Map.entry("PROFILE_REMOTE_HOST", "10.0.0.1"),
        Map.entry("PROFILE_JOURNAL", "postgres"),
        Map.entry("PROFILE_DB_URL", "jdbc:postgresql://db:5432/profiles"),
        Map.entry("PROFILE_MANAGEMENT_PORT", "9558"),
        Map.entry("PROFILE_SEGMENT_RECHECK_INTERVAL", "off"),
        Map.entry("PROFILE_ALLOWED_LATENESS", "2h")));
    ModelSettings model = s.model().orElseThrow();
    assertEquals(Path.of("/srv/models"), model.registryDir());
    assertEquals(3, model.pool().workers());
    assertEquals(2, model.torchThreads());
    assertEquals("nb-gru-v2", model.candidate());
    assertEquals(10, model.candidatePercent());
    assertEquals(100, s.changes().liveReadAhead());
    assertEquals(List.of(new ClusterShape.HostPort("10.0.0.1", 25520), new ClusterShape.HostPort("10.0.0.2", 25520)), s.cluster().seeds());
    assertEquals(new ClusterShape.HostPort("10.0.0.1", 25520), s.cluster().self());
    assertEquals(JournalDurability.POSTGRES, s.journal().durability());
    assertEquals("jdbc:postgresql://db:5432/profiles", s.journal().url());
    assertEquals(new EngineSettings.Management("127.0.0.1", 9558), s.management());
    assertEquals(Optional.empty(), s.segmentRecheck().interval());
    assertEquals(Duration.ofHours(2), s.profile().allowedLateness());
  }

  @Test
  void theModelRegistryHasOneKeyAndTheOlderPropertyWinsOverTheVariable() {
    assertEquals(Path.of("/opt/m"), withEnvironment(Map.of("PROFILE_MODELS_DIR", "/srv/models", "profile.models.dir", "/opt/m"))
        .model().orElseThrow().registryDir());
    assertEquals(Path.of("/k"), withEnvironment(Map.of("PROFILE_MODELS_DIR", "/srv/models", "profile.model.registry-dir", "/k"))
        .model().orElseThrow().registryDir(), "the key itself, set directly, wins");
  }

  @Test
  void predictionsOffLeavesNoModelSettings() {
    assertTrue(withEnvironment(Map.of("PROFILE_PREDICTIONS", "off")).model().isEmpty());
  }
}
