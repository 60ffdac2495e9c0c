package dev.profileengine.engine.node;

import com.typesafe.config.Config;
import dev.profileengine.engine.ClusterShape;
import dev.profileengine.engine.EngineSettings;
import dev.profileengine.engine.journal.JournalDurability;
import dev.profileengine.profile.PiiPolicy;

/**
 * Configurations that would lose data or leak it are refused before anything starts: a local H2
 * journal on a node that shares a cluster (each node would journal its shards into its own file, so
 * the events acknowledged on a node are gone once its shards move), and PII hashing without a real
 * salt (salted hashes of cities or queries are reversible by a dictionary when the salt is known).
 */
public final class StartupChecks {
  private StartupChecks() {}

  /** Throws {@link IllegalStateException} naming the setting when {@code config} is unsafe. */
  public static void check(Config config) {
    journalIsShared(config);
    piiSalt(config);
  }

  /** An H2 journal is only correct on a node that is its own whole cluster. */
  static void journalIsShared(Config config) {
    if (!JournalDurability.of(config).journal().equals("h2")) return;
    ClusterShape.from(config).sharedBecause().ifPresent(shared -> {
      throw new IllegalStateException("refusing to start: " + shared + ". PROFILE_JOURNAL=h2 keeps this node's events in a local "
          + "file that no other node reads: in a cluster of several nodes the events acknowledged here are lost when this node's "
          + "shards move to another. Use PROFILE_JOURNAL=postgres (with PROFILE_DB_URL) for a cluster, or run one node alone.");
    });
  }

  /** Hashing personal fields needs a secret salt. */
  static void piiSalt(Config config) {
    PiiPolicy pii = EngineSettings.piiPolicy(config.getConfig("profile.privacy"));
    if (!pii.actions().containsValue(PiiPolicy.Action.HASH)) return;
    SecretStrength.weakness(pii.salt()).ifPresent(weak -> {
      throw new IllegalStateException("refusing to start: PROFILE_PII hashes personal fields but PROFILE_PII_SALT is not a usable "
          + "secret (" + weak + "); without a secret salt the hashes are reversible by a dictionary of values. "
          + SecretStrength.advice() + ".");
    });
  }
}
