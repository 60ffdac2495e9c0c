package dev.profileengine.engine.node;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import dev.profileengine.engine.EngineSettings;
import dev.profileengine.engine.UserProfile;
import dev.profileengine.engine.journal.JournalDatabase;
import dev.profileengine.engine.serialization.StableCborSerializer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Finishes merges and unmerges a crash cut short. A profile resumes a step it journaled as started
 * when it recovers, but nothing recovers a profile until something is sent to it; so when a node
 * starts it finds, in the journal, every profile whose last step was started and not ended, and
 * wakes it. Harmless when run by several nodes at once (each step makes a repeat harmless).
 */
public final class PendingLinks {
  private PendingLinks() {}

  /** Wakes every profile with an unfinished step; completes with how many it woke. */
  public static CompletionStage<Integer> resume(ActorSystem<?> system) {
    return JournalDatabase.reads(system).run("finding unfinished merges", PendingLinks::find).thenApply(keys -> {
      ClusterSharding sharding = ClusterSharding.get(system);
      EngineSettings settings = EngineSettings.of(system);
      keys.forEach(k -> sharding.entityRefFor(UserProfile.ENTITY_KEY, k).ask(UserProfile.Resolve::new, settings.askTimeout()));
      if (!keys.isEmpty()) system.log().info("Resuming {} unfinished identity merges or unmerges", keys.size());
      return keys.size();
    });
  }

  /**
   * A direct merge ({@code MergedInto.direct}: one row, no started step) is confirmed by the canonical
   * profile within milliseconds; one written this long before the journal's newest row was taken
   * unless the node kept retrying that long before it stopped (and its profile repairs it when next
   * asked anything).
   */
  static final long DIRECT_MERGES_WITHIN_MS = 10_000;

  /**
   * The keys of profiles whose latest started step has no end journaled after it, and of those whose
   * direct merge was written in the last seconds before the journal's newest row (the canonical
   * profile may not have taken the key yet: woken, the profile tells it again).
   */
  static List<String> find(Connection c) throws SQLException {
    java.util.Set<String> keys = new java.util.LinkedHashSet<>(unfinished(c));
    // Written as the version that added "direct" (the oldest that expresses it).
    StableCborSerializer.Type mergedInto = StableCborSerializer.typeOf(UserProfile.MergedInto.class);
    String direct = manifest(mergedInto, mergedInto.added().stream().filter(a -> a.property().equals("direct")).findFirst().orElseThrow().since());
    String sql = "SELECT \"persistence_id\" FROM \"event_journal\" WHERE \"event_ser_manifest\" = " + direct
        + " AND \"sequence_number\" = 1 AND \"write_timestamp\" > (SELECT MAX(\"write_timestamp\") FROM \"event_journal\") - " + DIRECT_MERGES_WITHIN_MS;
    keys.addAll(keysOf(c, sql));
    return List.copyOf(keys);
  }

  private static List<String> unfinished(Connection c) throws SQLException {
    String started = manifests(UserProfile.MergeStarted.class, UserProfile.SplitStarted.class);
    String ended = manifests(UserProfile.MergedInto.class, UserProfile.SplitOff.class, UserProfile.LinkCancelled.class);
    // Started steps are few (one per merge); the journal has no index on manifests, so this reads the table once.
    // Quoted: H2's schema spells the plugin's names in lower case (PostgreSQL folds to it anyway).
    String sql = "SELECT s.pid FROM (SELECT \"persistence_id\" AS pid, MAX(\"sequence_number\") AS seq FROM \"event_journal\" "
        + "WHERE \"event_ser_manifest\" IN (" + started + ") GROUP BY \"persistence_id\") s WHERE NOT EXISTS (SELECT 1 FROM \"event_journal\" e "
        + "WHERE e.\"persistence_id\" = s.pid AND e.\"sequence_number\" > s.seq AND e.\"event_ser_manifest\" IN (" + ended + "))";
    return keysOf(c, sql);
  }

  /** The profile keys of the persistence ids {@code sql} selects. */
  private static List<String> keysOf(Connection c, String sql) throws SQLException {
    String prefix = UserProfile.ENTITY_KEY.name() + "|";
    List<String> keys = new ArrayList<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        String pid = rs.getString(1);
        if (pid.startsWith(prefix)) keys.add(pid.substring(prefix.length()));
      }
    }
    return keys;
  }

  /** Every manifest rows of {@code types} may carry: a value is written as the oldest version that expresses it. */
  private static String manifests(Class<?>... types) {
    return Stream.of(types).map(StableCborSerializer::typeOf)
        .flatMap(t -> java.util.stream.IntStream.rangeClosed(1, t.version()).mapToObj(v -> manifest(t, v)))
        .collect(Collectors.joining(", "));
  }

  /** The manifest of version {@code version} of {@code t}, quoted for SQL. */
  private static String manifest(StableCborSerializer.Type t, int version) {
    return "'" + t.name() + "#" + version + "'";
  }
}
