package dev.profileengine.engine.journal;

import com.typesafe.config.Config;
import java.nio.file.Path;

/**
 * {@code profile.journal} and {@code profile.data-dir}: which database journals the events and how
 * durably. Read from the raw Config by {@code JournalConfig} (which completes the plugin's database
 * settings before the ActorSystem exists) and kept in the engine's settings.
 *
 * @param dataDir PROFILE_DATA_DIR, absolute: the H2 journal file lives here
 * @param h2Options options appended to the H2 URL
 * @param dbUrl PROFILE_DB_URL (PostgreSQL only), blank when unset
 */
public record JournalSettings(JournalDurability durability, Path dataDir, String h2Options, String dbUrl, String dbUser,
                              String dbPassword) {

  public static JournalSettings from(Config root) {
    Config c = root.getConfig("profile.journal");
    return new JournalSettings(JournalDurability.of(root), Path.of(root.getString("profile.data-dir")).toAbsolutePath().normalize(),
        c.getString("h2-options"), c.getString("db-url"), c.getString("db-user"), c.getString("db-password"));
  }

  /** {@code h2} or {@code postgres}. */
  public String kind() {
    return durability.journal();
  }

  public boolean h2() {
    return kind().equals("h2");
  }

  /** The JDBC URL of the journal database. */
  public String url() {
    return h2() ? "jdbc:h2:file:" + dataDir.resolve("journal") + ";" + h2Options : dbUrl;
  }

  /** A human summary for the startup log line (no password). */
  public String describe() {
    return kind() + " " + url() + " durability=" + durability.durability();
  }

  @Override
  public String toString() {
    return "JournalSettings[" + describe() + ", dataDir=" + dataDir + ", dbUser=" + dbUser + "]";
  }
}
