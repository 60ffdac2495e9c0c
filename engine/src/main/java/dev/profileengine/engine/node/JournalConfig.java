package dev.profileengine.engine.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.profileengine.engine.changes.DerivedTagReadJournalDao;
import dev.profileengine.engine.journal.BatchingJournalDao;
import dev.profileengine.engine.journal.H2SyncedJournalDao;
import dev.profileengine.engine.journal.JournalDurability;
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

  private JournalConfig() {}

  /** A human summary for the startup log line (no password). */
  public static String describe(Config c) {
    return c.getString("profile.journal.kind") + " " + c.getString(DB + ".db.url") + " durability=" + JournalDurability.of(c).durability();
  }

  /** Returns {@code config} with the journal database URL, driver and profile filled in. */
  public static Config resolve(Config config) {
    Config journal = config.getConfig("profile.journal");
    String kind = journal.getString("kind");
    Map<String, Object> db = new HashMap<>();
    switch (kind) {
      case "h2" -> {
        Path dir = Path.of(config.getString("profile.data-dir")).toAbsolutePath().normalize();
        try {
          Files.createDirectories(dir);
        } catch (java.io.IOException e) {
          throw new IllegalStateException("cannot create data directory " + dir + ": " + e.getMessage(), e);
        }
        db.put(DB + ".profile", "slick.jdbc.H2Profile$");
        db.put(DB + ".db.driver", "org.h2.Driver");
        db.put(DB + ".db.user", "sa");
        db.put(DB + ".db.password", "");
        db.put(DB + ".db.url", "jdbc:h2:file:" + dir.resolve("journal") + ";" + journal.getString("h2-options"));
        db.put("akka.projection.jdbc.dialect", "h2-dialect");
      }
      case "postgres" -> {
        String url = journal.getString("db-url");
        if (url.isBlank()) throw new IllegalArgumentException("PROFILE_JOURNAL=postgres needs PROFILE_DB_URL (e.g. jdbc:postgresql://localhost:5432/profiles)");
        db.put(DB + ".profile", "slick.jdbc.PostgresProfile$");
        db.put(DB + ".db.driver", "org.postgresql.Driver");
        db.put(DB + ".db.url", url);
        db.put(DB + ".db.user", journal.getString("db-user"));
        db.put(DB + ".db.password", journal.getString("db-password"));
        db.put("akka.projection.jdbc.dialect", "postgres-dialect");
      }
      default -> throw new IllegalArgumentException("PROFILE_JOURNAL must be h2 or postgres, was '" + kind + "'");
    }
    // the reads' pool connects to the same database (H2: the same URL, so the same engine in this JVM)
    for (String key : java.util.List.copyOf(db.keySet())) {
      if (key.startsWith(DB + ".")) db.put(READ_DB + key.substring(DB.length()), db.get(key));
    }
    // eventsByTag of the engine's tags reads the journal rows themselves: events are written untagged.
    db.put("jdbc-read-journal.dao", DerivedTagReadJournalDao.class.getName());
    // Writes of all entities are group-committed by the engine's batcher (rows per commit as a metric).
    // On H2 with PROFILE_H2_SYNC=commit each group commit is forced to disk before it is acknowledged.
    boolean sync = JournalDurability.of(config).equals(JournalDurability.H2_COMMIT);
    db.put("jdbc-journal.dao", (sync ? H2SyncedJournalDao.class : BatchingJournalDao.class).getName());
    return ConfigFactory.parseMap(db).withFallback(config);
  }
}
