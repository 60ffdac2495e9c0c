package dev.profileengine.engine.node;

import akka.actor.Address;
import com.typesafe.config.Config;
import dev.profileengine.engine.EngineSettings;
import dev.profileengine.profile.PiiPolicy;
import java.util.List;

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
    String journal = config.getString("profile.journal.kind");
    if (!journal.equals("h2")) return;
    String why = "PROFILE_JOURNAL=h2 keeps this node's events in a local file that no other node reads: in a cluster of "
        + "several nodes the events acknowledged here are lost when this node's shards move to another. Use "
        + "PROFILE_JOURNAL=postgres (with PROFILE_DB_URL) for a cluster, or run one node alone";
    String discovery = config.getString("profile.discovery");
    if (!discovery.equals("config")) {
      throw new IllegalStateException("refusing to start: PROFILE_DISCOVERY=" + discovery + " forms a multi-node cluster. " + why + ".");
    }
    String self = config.getString("akka.remote.artery.canonical.hostname") + ":" + config.getInt("akka.remote.artery.canonical.port");
    List<Address> others = ProfileEngine.seedNodes(config.getString("profile.seed-nodes"), "profile-engine").stream()
        .filter(a -> !(a.host().get() + ":" + a.port().get()).equals(self))
        .toList();
    if (!others.isEmpty()) {
      throw new IllegalStateException("refusing to start: PROFILE_SEED_NODES names other nodes (" + others.stream()
          .map(a -> a.host().get() + ":" + a.port().get()).toList() + ", this node is " + self + "). " + why
          + " (leave PROFILE_SEED_NODES empty).");
    }
    if (!config.getStringList("akka.cluster.seed-nodes").isEmpty()) {
      throw new IllegalStateException("refusing to start: akka.cluster.seed-nodes is set, which forms a multi-node cluster. " + why + ".");
    }
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
