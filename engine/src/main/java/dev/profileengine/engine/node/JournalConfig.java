package dev.profileengine.engine.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.profileengine.engine.changes.DerivedTagReadJournalDao;
import dev.profileengine.engine.journal.BatchingJournalDao;
import dev.profileengine.engine.journal.H2SyncedJournalDao;
import dev.profileengine.engine.journal.JournalDurability;
import dev.profileengine.engine.journal.JournalSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Completes the akka-persistence-jdbc database settings from {@code profile.journal}: an H2 file
 * under {@code profile.data-dir} (the embedded default) or PostgreSQL.
 */
public final class JournalConfig {
  private static final String DB = "akka-persistence-jdbc.shared-databases.slick";
  /** The read side's pool on the same database (see engine-persistence.conf). */
  private static final String READ_DB = "akka-persistence-jdbc.shared-databases.slick-read";

  private static final String SEQUENCE_RETRIEVAL = "jdbc-read-journal.journal-sequence-retrieval";

  private JournalConfig() {}

  /** Returns {@code config} with the journal database URL, driver and profile filled in. */
  public static Config resolve(Config config) {
    JournalSettings journal = JournalSettings.from(config);
    Map<String, Object> db = new HashMap<>();
    if (journal.h2()) {
      Path dir = journal.dataDir();
      try {
        Files.createDirectories(dir);
      } catch (java.io.IOException e) {
        throw new IllegalStateException("cannot create data directory " + dir + ": " + e.getMessage(), e);
      }
      db.put(DB + ".profile", "slick.jdbc.H2Profile$");
      db.put(DB + ".db.driver", "org.h2.Driver");
      db.put(DB + ".db.user", "sa");
      db.put(DB + ".db.password", "");
      db.put("akka.projection.jdbc.dialect", "h2-dialect");
    } else {
      if (journal.dbUrl().isBlank()) throw new IllegalArgumentException("PROFILE_JOURNAL=postgres needs PROFILE_DB_URL (e.g. jdbc:postgresql://localhost:5432/profiles)");
      db.put(DB + ".profile", "slick.jdbc.PostgresProfile$");
      db.put(DB + ".db.driver", "org.postgresql.Driver");
      db.put(DB + ".db.user", journal.dbUser());
      db.put(DB + ".db.password", journal.dbPassword());
      db.put("akka.projection.jdbc.dialect", "postgres-dialect");
      // Several writers commit out of ordering order: the read journal waits for an open writer up to
      // profile.changes.max-commit-wait (see DerivedTagReadJournalDao, CommitHorizon), not 10 x 50 ms.
      long delay = config.getDuration(SEQUENCE_RETRIEVAL + ".query-delay").toMillis();
      long wait = config.getDuration("profile.changes.max-commit-wait").toMillis();
      db.put(SEQUENCE_RETRIEVAL + ".max-tries", (int) Math.max(1, Math.min(Integer.MAX_VALUE, (wait + delay - 1) / delay)));
    }
    db.put(DB + ".db.url", journal.url());
    // the reads' pool connects to the same database (H2: the same URL, so the same engine in this JVM)
    for (String key : java.util.List.copyOf(db.keySet())) {
      if (key.startsWith(DB + ".")) db.put(READ_DB + key.substring(DB.length()), db.get(key));
    }
    // eventsByTag of the engine's tags reads the journal rows themselves: events are written untagged.
    db.put("jdbc-read-journal.dao", DerivedTagReadJournalDao.class.getName());
    // Writes of all entities are group-committed by the engine's batcher (rows per commit as a metric).
    // On H2 with PROFILE_H2_SYNC=commit each group commit is forced to disk before it is acknowledged.
    boolean sync = journal.durability().equals(JournalDurability.H2_COMMIT);
    db.put("jdbc-journal.dao", (sync ? H2SyncedJournalDao.class : BatchingJournalDao.class).getName());
    return ConfigFactory.parseMap(db).withFallback(config);
  }
}
