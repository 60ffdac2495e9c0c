package dev.profileengine.engine.journal;

import com.typesafe.config.Config;

/**
 * Which failures an acknowledged ({@code accepted}) event survives, from {@code profile.journal}:
 * said at startup and in {@code /ready}.
 *
 * @param journal {@code h2} or {@code postgres}
 * @param durability {@code process-crash}: H2 with {@code PROFILE_H2_SYNC=os}, each commit reaches
 *     the operating system but nothing forces it to disk, so a killed process loses nothing and an OS
 *     crash or power cut may lose the last acknowledged events; {@code os-crash}: H2 with
 *     {@code PROFILE_H2_SYNC=commit}, each batch is forced to disk before it is acknowledged (still
 *     one disk: its loss loses the journal); {@code postgres-commit}: as durable as the PostgreSQL
 *     server's commit (its fsync, synchronous_commit and replication settings)
 */
public record JournalDurability(String journal, String durability) {
  public static final JournalDurability H2_OS = new JournalDurability("h2", "process-crash");
  public static final JournalDurability H2_COMMIT = new JournalDurability("h2", "os-crash");
  public static final JournalDurability POSTGRES = new JournalDurability("postgres", "postgres-commit");

  /**
   * From {@code profile.journal} of the raw Config (the journal is set up before the ActorSystem
   * exists); refuses an unknown PROFILE_JOURNAL or PROFILE_H2_SYNC naming the variable.
   */
  public static JournalDurability of(Config config) {
    String kind = config.getString("profile.journal.kind");
    if (kind.equals("postgres")) return POSTGRES;
    if (!kind.equals("h2")) throw new IllegalArgumentException("PROFILE_JOURNAL must be h2 or postgres, was '" + kind + "'");
    String sync = config.getString("profile.journal.h2-sync");
    return switch (sync) {
      case "commit" -> H2_COMMIT;
      case "os" -> H2_OS;
      default -> throw new IllegalArgumentException("PROFILE_H2_SYNC must be commit (force each commit to disk before "
          + "acknowledging) or os (leave it to the operating system), was '" + sync + "'");
    };
  }
}
