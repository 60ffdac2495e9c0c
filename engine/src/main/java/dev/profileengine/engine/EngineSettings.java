package dev.profileengine.engine;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import dev.profileengine.engine.journal.JournalSettings;
import dev.profileengine.model.inference.ModelSettings;
import dev.profileengine.model.inference.PoolConfig;
import dev.profileengine.model.recommend.RecommendWeights;
import dev.profileengine.profile.AttributeLimits;
import dev.profileengine.profile.BehaviorType;
import dev.profileengine.profile.ChurnSettings;
import dev.profileengine.profile.Consent;
import dev.profileengine.profile.EventValidation;
import dev.profileengine.profile.PiiPolicy;
import dev.profileengine.profile.identity.IdentityRules;
import dev.profileengine.profile.ProfileSettings;
import dev.profileengine.profile.RfmThresholds;
import dev.profileengine.profile.RiskSettings;
import dev.profileengine.profile.segment.SegmentDefinitions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The engine's settings, built once from the node's resolved configuration ({@link #of} per
 * ActorSystem): the profile rules of the {@code profile} section and, per concern, the cluster,
 * journal, health probes, predictions, change feed, recommendations and segment re-check. Every
 * {@code PROFILE_*} environment variable reaches these through its {@code ${?...}} mapping in the
 * engine's .conf files; nothing here reads the environment.
 *
 * @param segments the audiences of {@code profile.segments}, in id order
 * @param attributeLimits caps on each profile's static attributes ({@code profile.attributes})
 * @param identity which identities may be linked into one profile ({@code profile.identity})
 * @param cluster discovery, seed nodes and Artery: single node or cluster member ({@link ClusterShape})
 * @param journal {@code profile.journal} and {@code profile.data-dir}
 * @param model {@code profile.model}; empty when predictions are off ({@code PROFILE_PREDICTIONS})
 * @param predictionWait {@code profile.model.wait-before-write}: how long a profile's write may wait for
 *     its prediction, so that both are journaled in one write (zero, the default: never waits)
 * @param numberOfShards {@code akka.cluster.sharding.number-of-shards}: the user-to-shard mapping
 * @param placeShardsAfter {@code profile.place-shards-after}: how long a cluster's membership stays
 *     still before its nodes place the shards no node hosts; empty when off
 * @param readCacheHeapShare {@code profile.read-cache-heap-share} ({@code PROFILE_READ_CACHE_HEAP_SHARE}, 0 to
 *     0.5): the share of the heap the node keeps rendered profile JSON in ({@link #readCacheBudget})
 */
public record EngineSettings(
    ProfileSettings profile,
    EventValidation validation,
    int snapshotEvery,
    int snapshotsKept,
    Duration askTimeout,
    PiiPolicy pii,
    SegmentDefinitions segments,
    AttributeLimits attributeLimits,
    IdentityRules identity,
    ClusterShape cluster,
    JournalSettings journal,
    Health health,
    Optional<ModelSettings> model,
    Duration predictionWait,
    Changes changes,
    Recommendations recommendations,
    SegmentRecheckSettings segmentRecheck,
    Management management,
    int numberOfShards,
    Optional<Duration> placeShardsAfter,
    double readCacheHeapShare) {

  static final String READ_CACHE_HEAP_SHARE = "profile.read-cache-heap-share";

  public EngineSettings {
    if (!(readCacheHeapShare >= 0 && readCacheHeapShare <= 0.5))
      throw new IllegalArgumentException(READ_CACHE_HEAP_SHARE + " (PROFILE_READ_CACHE_HEAP_SHARE) must be between 0 and 0.5, was " + readCacheHeapShare);
  }

  /** Bytes of rendered profile JSON the node may keep ({@link HostedProfiles#latestJson}): {@link #readCacheHeapShare} of {@code maxHeap}. */
  public long readCacheBudget(long maxHeap) {
    return (long) (maxHeap * readCacheHeapShare);
  }

  /**
   * {@code profile.health}: readiness is probed every {@code refreshInterval} and a probe older than
   * {@code staleAfter} counts as not ready; segment member counts refresh every {@code segmentCountsInterval}.
   */
  public record Health(Duration refreshInterval, Duration staleAfter, Duration segmentCountsInterval) {
    static Health from(Config c) {
      return new Health(c.getDuration("refresh-interval"), c.getDuration("stale-after"), c.getDuration("segment-counts-interval"));
    }
  }

  /**
   * {@code profile.changes}: {@code live-read-ahead}, changes the node's one live read may leave
   * waiting for a subscriber; {@code live-poll}, how often it reads rows other writers committed
   * (it reads the node's own at once).
   */
  public record Changes(int liveReadAhead, Duration livePoll) {}

  /** {@code profile.recommendations}: the blend's weights and the largest {@code k} a request may ask for. */
  public record Recommendations(RecommendWeights weights, int maxK) {
    static Recommendations from(Config c) {
      return new Recommendations(
          new RecommendWeights(c.getDouble("weights.model"), c.getDouble("weights.interest"), c.getDouble("weights.popular")),
          c.getInt("max-k"));
    }
  }

  /** Akka Management's HTTP address ({@code akka.management.http}), for the startup log line. */
  public record Management(String bind, int port) {}

  /** The node's settings, parsed once per ActorSystem from its configuration. */
  public static EngineSettings of(ActorSystem<?> system) {
    return system.registerExtension(Id.INSTANCE).settings;
  }

  private static final class Holder implements Extension {
    final EngineSettings settings;

    Holder(EngineSettings settings) {
      this.settings = settings;
    }
  }

  private static final class Id extends ExtensionId<Holder> {
    static final Id INSTANCE = new Id();

    @Override
    public Holder createExtension(ActorSystem<?> system) {
      return new Holder(from(system.settings().config()));
    }
  }

  /** Snapshot interval and kept snapshots replaced (tests crossing snapshot boundaries). */
  public EngineSettings withSnapshots(int every, int kept) {
    return new EngineSettings(profile, validation, every, kept, askTimeout, pii, segments, attributeLimits, identity, cluster, journal, health, model, predictionWait,
        changes, recommendations, segmentRecheck, management, numberOfShards, placeShardsAfter, readCacheHeapShare);
  }

  /** The audiences replaced. */
  public EngineSettings withSegments(SegmentDefinitions segments) {
    return new EngineSettings(profile, validation, snapshotEvery, snapshotsKept, askTimeout, pii, segments, attributeLimits, identity, cluster, journal,
        health, model, predictionWait, changes, recommendations, segmentRecheck, management, numberOfShards, placeShardsAfter, readCacheHeapShare);
  }

  /** From the engine's whole configuration (engine.conf under any overrides, resolved). */
  public static EngineSettings from(Config root) {
    Config c = root.getConfig("profile");
    return new EngineSettings(
        profileSettings(root),
        new EventValidation(c.getDuration("max-future-skew")),
        c.getInt("snapshot.every"),
        c.getInt("snapshot.keep"),
        c.getDuration("ask-timeout"),
        piiPolicy(c.getConfig("privacy")),
        segments(c),
        attributeLimits(c.getConfig("attributes")),
        identityRules(c.getConfig("identity")),
        ClusterShape.from(root),
        JournalSettings.from(root),
        Health.from(c.getConfig("health")),
        model(c.getConfig("model")),
        c.getDuration("model.wait-before-write"),
        new Changes(c.getInt("changes.live-read-ahead"), c.getDuration("changes.live-poll")),
        Recommendations.from(c.getConfig("recommendations")),
        SegmentRecheckSettings.from(root),
        new Management(root.getString("akka.management.http.bind-hostname"), root.getInt("akka.management.http.port")),
        root.getInt("akka.cluster.sharding.number-of-shards"),
        offOrDuration(c, "place-shards-after"),
        root.getDouble(READ_CACHE_HEAP_SHARE));
  }

  /** A positive duration, or empty for {@code off}. */
  private static Optional<Duration> offOrDuration(Config c, String path) {
    if (c.getString(path).trim().equalsIgnoreCase("off")) return Optional.empty();
    Duration d = c.getDuration(path);
    if (d.isNegative() || d.isZero())
      throw new IllegalArgumentException("profile." + path + " must be positive or off, was " + c.getString(path));
    return Optional.of(d);
  }

  /** The profile rules alone, from {@code profile} (engine-profile.conf suffices). */
  public static ProfileSettings profileSettings(Config root) {
    Config c = root.getConfig("profile");
    Config w = c.getConfig("interest.weights");
    Map<BehaviorType, Double> weights = new HashMap<>();
    for (BehaviorType t : BehaviorType.values()) if (w.hasPath(t.wire())) weights.put(t, w.getDouble(t.wire()));
    Config rfm = c.getConfig("rfm");
    return new ProfileSettings(
        c.getDuration("allowed-lateness"),
        c.getDuration("session-gap"),
        c.getDuration("interest.half-life"),
        ProfileSettings.weights(weights),
        c.getInt("interest.top-k"),
        c.getInt("context-top-k"),
        c.getInt("recent-behaviors"),
        c.getInt("max-remembered-ids"),
        new RfmThresholds(bounds(rfm, "recency-days"), bounds(rfm, "frequency-orders"), bounds(rfm, "monetary-total")),
        churn(c.getConfig("churn")),
        risk(c.getConfig("risk")),
        consentDefaults(c.getConfig("privacy.consent-defaults")));
  }

  /**
   * {@code profile.model} (engine-model.conf): empty when off. {@code registry-dir} is the one source
   * of the model registry; PROFILE_MODELS_DIR is mapped onto it there.
   */
  static Optional<ModelSettings> model(Config c) {
    if (!c.getBoolean("enabled")) return Optional.empty();
    int workers = c.getInt("workers") > 0 ? c.getInt("workers") : Runtime.getRuntime().availableProcessors();
    return Optional.of(new ModelSettings(
        Path.of(c.getString("registry-dir")),
        new PoolConfig(workers, c.getInt("queue-capacity"), c.getInt("max-batch"), c.getDuration("max-delay")),
        c.getInt("torch-threads"),
        c.getString("candidate").strip(),
        c.getInt("candidate-percent")));
  }

  /** {@code profile.attributes}. */
  static IdentityRules identityRules(Config c) {
    Map<String, IdentityRules.TypeRule> types = new java.util.TreeMap<>();
    Config t = c.getConfig("types");
    for (String name : t.root().keySet()) {
      Config rule = t.getConfig(name);
      types.put(name, new IdentityRules.TypeRule(rule.getBoolean("unique"), rule.getBoolean("hashed"),
          rule.hasPath("max-users") ? rule.getInt("max-users") : 0));
    }
    try {
      return new IdentityRules(types, c.getInt("max-identities"), c.getBoolean("enabled"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("profile.identity: " + e.getMessage(), e);
    }
  }

  static AttributeLimits attributeLimits(Config c) {
    try {
      return new AttributeLimits(c.getInt("max-count"), (int) Math.min(Integer.MAX_VALUE, c.getBytes("max-bytes")),
          c.getInt("max-name-length"), c.getInt("max-value-length"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("profile.attributes (PROFILE_MAX_ATTRIBUTES, PROFILE_MAX_ATTRIBUTE_BYTES): " + e.getMessage(), e);
    }
  }

  private static Consent.ConsentDefaults consentDefaults(Config c) {
    return new Consent.ConsentDefaults(c.getBoolean("analytics"), c.getBoolean("personalization"), c.getBoolean("ads"));
  }

  public static PiiPolicy piiPolicy(Config privacy) {
    Map<PiiPolicy.Field, PiiPolicy.Action> actions = new HashMap<>();
    Config pii = privacy.getConfig("pii");
    for (String field : pii.root().keySet()) {
      try {
        actions.put(PiiPolicy.Field.parse(field), PiiPolicy.Action.parse(pii.getString(field)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("profile.privacy.pii." + field + ": " + e.getMessage(), e);
      }
    }
    // PROFILE_PII="city=hash,query=drop" overrides the configured actions field by field.
    for (String entry : privacy.getString("pii-spec").split(",")) {
      if (entry.isBlank()) continue;
      String[] kv = entry.split("=", 2);
      if (kv.length != 2) throw new IllegalArgumentException("PROFILE_PII entry '" + entry.strip() + "' is not field=action");
      actions.put(PiiPolicy.Field.parse(kv[0].strip()), PiiPolicy.Action.parse(kv[1].strip()));
    }
    return new PiiPolicy(actions, privacy.getString("pii-salt"));

  }

  /**
   * {@code profile.segments}: {@code <id> { rule = "...", description = "...", ads = false }}, in id
   * order (HOCON objects are unordered). A bad definition fails with the segment id and the problem.
   */
  static SegmentDefinitions segments(Config c) {
    if (!c.hasPath("segments")) return SegmentDefinitions.none();
    ConfigObject o = c.getObject("segments");
    Map<String, Object> byId = new TreeMap<>();
    o.forEach((id, v) -> byId.put(id, v.unwrapped()));
    return SegmentDefinitions.parse(byId);
  }

  /** {@code profile.churn}. */
  static ChurnSettings churn(Config c) {
    return new ChurnSettings(
        c.getDouble("recency-weight"),
        c.getDouble("frequency-weight"),
        c.getDouble("prediction-weight"),
        c.getDouble("half-risk-gap-ratio"),
        c.getDuration("default-gap"),
        c.getDuration("min-gap"),
        c.getDouble("engaged-probability"));
  }

  /** {@code profile.risk}. */
  static RiskSettings risk(Config c) {
    return new RiskSettings(
        c.getInt("burst.min-events"),
        c.getDouble("burst.factor"),
        c.getDuration("travel.min-country-gap"),
        c.getDuration("travel.min-city-gap"),
        c.getDouble("outlier.z"),
        c.getInt("outlier.min-purchases"),
        c.getDouble("outlier.max-factor"),
        c.getInt("cart-without-purchase.carts"),
        c.getDuration("flag-window"));
  }

  private static double[] bounds(Config c, String path) {
    List<Double> l = c.getDoubleList(path);
    return l.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
