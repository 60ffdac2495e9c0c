package dev.profileengine.engine.node;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The configurations a node refuses before anything starts (see {@link StartupChecks}). */
class StartupChecksTest {
  private static final String SALT = "5d1e9b3f7a2c8e4061d9b7f3a5c2e8b4";

  /** The engine's own configuration (engine.conf, without the environment) under {@code overrides}. */
  static Config engine(Map<String, Object> overrides) {
    return ConfigFactory.parseMap(overrides)
        .withFallback(ConfigFactory.parseResources("engine.conf"))
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
  }

  private static IllegalStateException refused(Map<String, Object> overrides) {
    return assertThrows(IllegalStateException.class, () -> StartupChecks.check(engine(overrides)), overrides.toString());
  }

  @Test
  void aSingleH2NodeStarts() {
    assertDoesNotThrow(() -> StartupChecks.check(engine(Map.of())));
    // Seed nodes that name only this node itself still make a single-node cluster.
    assertDoesNotThrow(() -> StartupChecks.check(engine(Map.of(
        "profile.seed-nodes", "127.0.0.1:25521", "akka.remote.artery.canonical.port", 25521))));
  }

  @Test
  void anH2JournalSharedWithOtherNodesIsRefused() {
    IllegalStateException seeds = refused(Map.of("profile.journal.kind", "h2", "profile.seed-nodes", "10.0.0.1:25520,10.0.0.2:25520"));
    assertTrue(seeds.getMessage().contains("PROFILE_JOURNAL") && seeds.getMessage().contains("PROFILE_SEED_NODES"), seeds.getMessage());
    // This node among the seeds does not make the others go away.
    refused(Map.of("profile.seed-nodes", "127.0.0.1:25520,127.0.0.1:25521"));
    IllegalStateException bootstrap = refused(Map.of("profile.discovery", "kubernetes-api"));
    assertTrue(bootstrap.getMessage().contains("PROFILE_JOURNAL") && bootstrap.getMessage().contains("PROFILE_DISCOVERY"), bootstrap.getMessage());
    IllegalStateException akkaSeeds = refused(Map.of("akka.cluster.seed-nodes", List.of("akka://profile-engine@10.0.0.1:25520")));
    assertTrue(akkaSeeds.getMessage().contains("akka.cluster.seed-nodes"), akkaSeeds.getMessage());
  }

  @Test
  void aClusterOnPostgresStarts() {
    assertDoesNotThrow(() -> StartupChecks.check(engine(Map.of("profile.journal.kind", "postgres",
        "profile.journal.db-url", "jdbc:postgresql://db:5432/profiles", "profile.discovery", "kubernetes-api"))));
    assertDoesNotThrow(() -> StartupChecks.check(engine(Map.of("profile.journal.kind", "postgres",
        "profile.journal.db-url", "jdbc:postgresql://db:5432/profiles", "profile.seed-nodes", "10.0.0.1:25520"))));
  }

  @Test
  void piiHashingNeedsASecretSalt() {
    for (String salt : List.of("", "s3cret", "short-salt-123", "change-me-change-me-change-me-0123456789", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")) {
      IllegalStateException e = refused(Map.of("profile.privacy.pii-spec", "city=hash", "profile.privacy.pii-salt", salt));
      assertTrue(e.getMessage().contains("PROFILE_PII_SALT"), e.getMessage());
    }
    // Hashing configured in the file rather than PROFILE_PII counts the same.
    refused(Map.of("profile.privacy.pii.query", "hash"));
    assertDoesNotThrow(() -> StartupChecks.check(engine(Map.of("profile.privacy.pii-spec", "city=hash,query=drop", "profile.privacy.pii-salt", SALT))));
    // Without hashing no salt is needed.
    assertDoesNotThrow(() -> StartupChecks.check(engine(Map.of("profile.privacy.pii-spec", "query=drop"))));
  }
}
