package dev.profileengine.profile;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Churn risk of a profile as of an instant (a pure function of the folded state):
 *
 * <pre>
 *   gap      = usual gap between sessions = (last - first event) / (sessions - 1), at least min-gap;
 *              default-gap with fewer than two sessions
 *   ratio    = (asOf - last event) / gap
 *   recency  = ratio^2 / (ratio^2 + half-risk-gap-ratio^2)            0..1, 0.5 at the half-risk ratio
 *   weekly   = events in the 30d window / (day buckets of history within it, 7..30) * 7,
 *              as of the last event (the habit while the user was still around)
 *   decline  = clamp(1 - (events in the 7d window as of asOf + 1) / (weekly + 1), 0, 1)
 *              (add-one smoothing, so a sparse user is not judged on noise)
 *   base     = (recency-weight * recency + frequency-weight * decline) / (recency-weight + frequency-weight)
 *   model    = clamp(1 - (p(purchase) + p(cart)) / engaged-probability, 0, 1), 0 without a prediction
 *   risk     = base + prediction-weight * model * (1 - base)
 * </pre>
 *
 * Once asOf is past the last event, the 7d count can only fall while the habit it is compared with
 * stays put, so the risk never falls as silence grows.
 */
public final class ChurnRisk {
  private static final long DAY = Duration.ofDays(1).toMillis();

  private ChurnRisk() {}

  public static Churn of(ProfileState p, long asOfMillis, ChurnSettings s) {
    if (p.eventCount() == 0) return Churn.NONE;
    Parts c = parts(p, asOfMillis, s);
    List<String> reasons = new ArrayList<>(3);
    if (c.silence > 0)
      reasons.add("inactive " + Decimals.fixed(c.silence / DAY, 1) + " days, " + Decimals.fixed(c.ratio, 1) + "x the usual gap");
    if (c.decline > 0)
      reasons.add("activity down " + Decimals.fixed(c.decline * 100, 0) + "% (7d vs 30d weekly average)");
    if (c.model > 0)
      reasons.add("predicted purchase+cart probability " + Decimals.fixed(c.engagement, 2));
    return new Churn(c.rounded(), List.copyOf(reasons));
  }

  /** The risk of {@link #of} without its reasons (a segment rule needs only the number). */
  public static double risk(ProfileState p, long asOfMillis, ChurnSettings s) {
    return p.eventCount() == 0 ? Churn.NONE.risk() : parts(p, asOfMillis, s).rounded();
  }

  private record Parts(double silence, double ratio, double decline, double model, double engagement, double risk) {
    double rounded() {
      return Math.round(clamp(risk) * 1000) / 1000.0;
    }
  }

  private static Parts parts(ProfileState p, long asOfMillis, ChurnSettings s) {
    long last = p.lastEventMillis();
    long first = p.firstSeenMillis();
    long sessions = p.sessions().count();
    double gap = sessions >= 2
        ? Math.max(s.minGap().toMillis(), (last - first) / (double) (sessions - 1))
        : s.defaultGap().toMillis();
    double silence = Math.max(0, asOfMillis - last);
    double ratio = silence / gap;
    double h = s.halfRiskGapRatio();
    double recency = ratio * ratio / (ratio * ratio + h * h);

    long habitAt = Math.min(asOfMillis, last);
    double month = RiskFlags.total(p.counts().count(WindowCounts.Window.D30, habitAt));
    long historyDays = Math.min(30, Math.max(7, Math.floorDiv(habitAt, DAY) - Math.floorDiv(first, DAY) + 1));
    double weekly = month / historyDays * 7;
    double week = RiskFlags.total(p.counts().count(WindowCounts.Window.D7, asOfMillis));
    double decline = clamp(1 - (week + 1) / (weekly + 1));

    double base = (s.recencyWeight() * recency + s.frequencyWeight() * decline) / (s.recencyWeight() + s.frequencyWeight());
    double model = 0;
    double engagement = 0;
    if (p.prediction() != null) {
      engagement = p.prediction().probability(BehaviorType.PURCHASE.wire()) + p.prediction().probability(BehaviorType.CART.wire());
      model = clamp(1 - engagement / s.engagedProbability());
    }
    double risk = base + s.predictionWeight() * model * (1 - base);
    return new Parts(silence, ratio, decline, model, engagement, risk);
  }

  private static double clamp(double v) {
    return Math.max(0, Math.min(1, v));
  }
}
