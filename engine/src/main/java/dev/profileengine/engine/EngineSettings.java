package dev.profileengine.engine;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;
import dev.profileengine.profile.AttributeLimits;
import dev.profileengine.profile.BehaviorType;
import dev.profileengine.profile.ChurnSettings;
import dev.profileengine.profile.Consent;
import dev.profileengine.profile.EventValidation;
import dev.profileengine.profile.PiiPolicy;
import dev.profileengine.profile.ProfileSettings;
import dev.profileengine.profile.RfmThresholds;
import dev.profileengine.profile.RiskSettings;
import dev.profileengine.profile.segment.SegmentDefinitions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The engine's settings, read from the {@code profile} section of the configuration.
 *
 * @param segments the audiences of {@code profile.segments}, in id order
 * @param attributeLimits caps on each profile's static attributes ({@code profile.attributes})
 */
public record EngineSettings(
    ProfileSettings profile,
    EventValidation validation,
    int snapshotEvery,
    int snapshotsKept,
    Duration askTimeout,
    PiiPolicy pii,
    SegmentDefinitions segments,
    AttributeLimits attributeLimits) {

  /** Settings with the default attribute caps. */
  public EngineSettings(ProfileSettings profile, EventValidation validation, int snapshotEvery, int snapshotsKept, Duration askTimeout,
                        PiiPolicy pii, SegmentDefinitions segments) {
    this(profile, validation, snapshotEvery, snapshotsKept, askTimeout, pii, segments, AttributeLimits.defaults());
  }

  /** Settings without segments. */
  public EngineSettings(ProfileSettings profile, EventValidation validation, int snapshotEvery, int snapshotsKept, Duration askTimeout,
                        PiiPolicy pii) {
    this(profile, validation, snapshotEvery, snapshotsKept, askTimeout, pii, SegmentDefinitions.none());
  }

  public static EngineSettings from(Config root) {
    Config c = root.getConfig("profile");
    Config w = c.getConfig("interest.weights");
    Map<BehaviorType, Double> weights = new HashMap<>();
    for (BehaviorType t : BehaviorType.values()) if (w.hasPath(t.wire())) weights.put(t, w.getDouble(t.wire()));
    Config rfm = c.getConfig("rfm");
    ProfileSettings profile = new ProfileSettings(
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
    return new EngineSettings(
        profile,
        new EventValidation(c.getDuration("max-future-skew")),
        c.getInt("snapshot.every"),
        c.getInt("snapshot.keep"),
        c.getDuration("ask-timeout"),
        piiPolicy(c.getConfig("privacy")),
        segments(c),
        attributeLimits(c.getConfig("attributes")));
  }

  /** {@code profile.attributes}. */
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
