package dev.profileengine.profile;

import dev.profileengine.profile.segment.FactPath;
import dev.profileengine.profile.segment.SegmentFacts;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The facts of a folded profile at one instant; its churn risk and flags computed at most once.
 *
 * <p>Paths: {@code counts.<1h|24h|7d|30d|lifetime>.<type>}, {@code eventCount},
 * {@code sessions.count}, {@code interest.<category|brand>.<id>} (the id's share 0..1 of the
 * kept interest, 0 if absent), {@code interest.topCategory}, {@code interest.topBrand},
 * {@code spend.<total|orders|averageOrderValue>}, {@code rfm.<r|f|m|code|segment>} (null without
 * purchases), {@code recency.days}, {@code context.<device|os|channel|country|city|network>},
 * {@code attributes.<name>}, {@code prediction.<type>} (0 without a prediction),
 * {@code churn.risk}, {@code flags.<name>} and bare {@code flags} (any flag raised).
 */
public final class ProfileFacts implements SegmentFacts {
  private final ProfileState state;
  private final ProfileSettings settings;
  private final long asOfMillis;
  // Computed on the first rule that reads them (flags build reason texts).
  private Double churnRisk;
  private List<Flag> flags;

  private ProfileFacts(ProfileState state, ProfileSettings settings, long asOfMillis) {
    this.state = state;
    this.settings = settings;
    this.asOfMillis = asOfMillis;
  }

  /**
   * The facts of {@code state} as of {@code asOf}; null means the profile's latest event time, so
   * membership computed while replaying historical events is event-time correct.
   */
  public static ProfileFacts of(ProfileState state, ProfileSettings settings, Instant asOf) {
    return new ProfileFacts(state, settings, state.readingMillis(asOf));
  }

  public long asOfMillis() {
    return asOfMillis;
  }

  public double churnRisk() {
    if (churnRisk == null) churnRisk = ChurnRisk.risk(state, asOfMillis, settings.churn());
    return churnRisk;
  }

  public List<Flag> flags() {
    if (flags == null) flags = state.flags(asOfMillis, settings);
    return flags;
  }

  private static final double DAY = Duration.ofDays(1).toMillis();

  @Override
  public Object value(FactPath p) {
    String a = p.at(0);
    int depth = p.rest().size();
    return switch (p.root()) {
      case "counts" -> depth == 2 ? count(a, p.at(1)) : null;
      case "eventCount" -> depth == 0 ? state.eventCount() : null;
      case "sessions" -> depth == 1 && a.equals("count") ? state.sessions().count() : null;
      case "interest" -> interest(p);
      case "spend" -> depth == 1 ? spend(a) : null;
      case "rfm" -> depth == 1 ? rfm(a) : null;
      case "recency" -> depth == 1 && a.equals("days") && state.eventCount() > 0
          ? Math.max(0, asOfMillis - state.lastEventMillis()) / DAY : null;
      case "context" -> depth == 1 ? context(a) : null;
      case "attributes" -> depth >= 1 ? state.attributes().get(String.join(".", p.rest())) : null;
      case "prediction" -> depth == 1 ? prediction(a) : null;
      case "churn" -> depth == 1 && a.equals("risk") ? churnRisk() : null;
      case "flags" -> depth == 0 ? Boolean.valueOf(!flags().isEmpty()) : depth == 1 ? flag(a) : null;
      default -> null;
    };
  }

  private Long count(String window, String type) {
    Optional<BehaviorType> t = BehaviorType.fromWire(type);
    if (t.isEmpty()) return null;
    int i = t.get().ordinal();
    if (window.equals("lifetime")) return state.counts().lifetime(t.get());
    for (WindowCounts.Window w : WindowCounts.Window.values())
      if (w.label().equals(window)) return state.counts().count(w, asOfMillis)[i];
    return null;
  }

  private Object interest(FactPath p) {
    if (p.rest().size() == 1) return switch (p.at(0)) {
      case "topCategory" -> state.categories().top();
      case "topBrand" -> state.brands().top();
      default -> null;
    };
    if (p.rest().size() < 2) return null;
    String id = String.join(".", p.rest().subList(1, p.rest().size()));
    return switch (p.at(0)) {
      case "category" -> state.categories().share(id);
      case "brand" -> state.brands().share(id);
      default -> null;
    };
  }

  private Object spend(String leaf) {
    Spend s = state.spend();
    return switch (leaf) {
      case "total" -> s.total();
      case "orders" -> s.orders();
      case "averageOrderValue" -> s.averageOrderValue();
      default -> null;
    };
  }

  private Object rfm(String leaf) {
    Spend.Rfm r = state.spend().view(asOfMillis, settings.rfm()).rfm();
    if (r == null) return null;
    return switch (leaf) {
      case "r" -> r.recencyScore();
      case "f" -> r.frequencyScore();
      case "m" -> r.monetaryScore();
      case "code" -> r.code();
      case "segment" -> r.segment();
      default -> null;
    };
  }

  private String context(String leaf) {
    EventContext c = state.context().last();
    return switch (leaf) {
      case "device" -> c.device();
      case "os" -> c.os();
      case "channel" -> c.channel();
      case "country" -> c.country();
      case "city" -> c.city();
      case "network" -> c.network();
      default -> null;
    };
  }

  private Double prediction(String type) {
    if (BehaviorType.fromWire(type).isEmpty()) return null;
    return state.prediction() == null ? 0.0 : state.prediction().probability(BehaviorType.fromWire(type).get().wire());
  }

  private Boolean flag(String name) {
    if (!RiskFlags.NAMES.contains(name)) return null;
    return flags().stream().anyMatch(f -> f.name().equals(name));
  }
}
