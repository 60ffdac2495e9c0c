package dev.profileengine.engine;

import com.typesafe.config.Config;
import dev.profileengine.model.BehaviorType;
import dev.profileengine.profile.Consent;
import dev.profileengine.profile.EventValidation;
import dev.profileengine.profile.PiiPolicy;
import dev.profileengine.profile.ProfileSettings;
import dev.profileengine.profile.RfmThresholds;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The engine's settings, read from the {@code profile} section of the configuration. */
public record EngineSettings(
    ProfileSettings profile,
    EventValidation validation,
    int snapshotEvery,
    int snapshotsKept,
    Duration askTimeout,
    PiiPolicy pii) {

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
        consentDefaults(c.getConfig("privacy.consent-defaults")));
    return new EngineSettings(
        profile,
        new EventValidation(c.getDuration("max-future-skew")),
        c.getInt("snapshot.every"),
        c.getInt("snapshot.keep"),
        c.getDuration("ask-timeout"),
        piiPolicy(c.getConfig("privacy")));
  }

  private static Consent.ConsentDefaults consentDefaults(Config c) {
    return new Consent.ConsentDefaults(c.getBoolean("analytics"), c.getBoolean("personalization"), c.getBoolean("ads"));
  }

  private static PiiPolicy piiPolicy(Config privacy) {
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

  private static double[] bounds(Config c, String path) {
    List<Double> l = c.getDoubleList(path);
    return l.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
