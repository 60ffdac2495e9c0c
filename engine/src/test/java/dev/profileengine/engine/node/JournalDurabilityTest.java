package dev.profileengine.engine.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import dev.profileengine.engine.journal.BatchingJournalDao;
import dev.profileengine.engine.journal.H2SyncedJournalDao;
import dev.profileengine.engine.journal.JournalDurability;
import dev.profileengine.engine.journal.JournalSettings;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PROFILE_H2_SYNC: what the journal promises, and the DAO that keeps the promise. */
class JournalDurabilityTest {
  @TempDir
  Path dir;

  private Config resolved(Map<String, Object> overrides) {
    Map<String, Object> m = new java.util.HashMap<>(overrides);
    m.put("profile.data-dir", dir.toString());
    return JournalConfig.resolve(StartupChecksTest.engine(m));
  }

  @Test
  void h2ForcesEachCommitToDiskByDefault() {
    Config c = resolved(Map.of());
    assertEquals(JournalDurability.H2_COMMIT, JournalDurability.of(c));
    assertEquals("os-crash", JournalDurability.of(c).durability());
    assertEquals(H2SyncedJournalDao.class.getName(), c.getString("jdbc-journal.dao"));
    assertTrue(JournalSettings.from(c).describe().endsWith("durability=os-crash"), JournalSettings.from(c).describe());
    assertEquals(c.getString("akka-persistence-jdbc.shared-databases.slick.db.url"), JournalSettings.from(c).url(),
        "the settings name the database the journal plugin connects to");
  }

  @Test
  void osLeavesItToTheOperatingSystem() {
    Config c = resolved(Map.of("profile.journal.h2-sync", "os"));
    assertEquals(new JournalDurability("h2", "process-crash"), JournalDurability.of(c));
    assertEquals(BatchingJournalDao.class.getName(), c.getString("jdbc-journal.dao"));
  }

  @Test
  void postgresIsAsDurableAsItsServer() {
    Config c = resolved(Map.of("profile.journal.kind", "postgres", "profile.journal.db-url", "jdbc:postgresql://db:5432/p"));
    assertEquals(new JournalDurability("postgres", "postgres-commit"), JournalDurability.of(c));
    assertEquals(BatchingJournalDao.class.getName(), c.getString("jdbc-journal.dao"));
  }

  @Test
  void anUnknownSyncModeIsRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> resolved(Map.of("profile.journal.h2-sync", "sometimes")));
    assertTrue(e.getMessage().contains("PROFILE_H2_SYNC"), e.getMessage());
  }
}
