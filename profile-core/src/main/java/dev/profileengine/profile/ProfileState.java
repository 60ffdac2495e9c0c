package dev.profileengine.profile;

import dev.profileengine.profile.segment.SegmentDefinitions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything the engine knows about one user, folded from the user's events: P(t+1) = f(P(t), e).
 * Immutable; every part is bounded in memory whatever the length of the history. {@link #admit}
 * decides about an incoming event (exactly-once, lateness), {@link #apply} folds an admitted one,
 * {@link #view} renders it for readers.
 *
 * @param firstSeenMillis earliest event time, {@code Long.MAX_VALUE} before the first event
 * @param lastEventMillis latest event time, {@code Long.MIN_VALUE} before the first event
 * @param attributes static attributes set through the API (JSON scalars)
 * @param risk the memory behind the anomaly flags
 * @param segments ids of the segments the user is a member of, sorted
 * @param consent the user's explicit consent choices
 * @param forgottenMillis when the user was last forgotten (0: never): events stamped before it are
 *     refused {@code forgotten}, a retried old batch cannot bring the data back
 * @param changedSinceForgotten something was journaled after the last forget (false when never
 *     forgotten): only then is there anything to forget again
 * @param links where the profile stands in the identity graph (linked identities, or the canonical
 *     profile it was merged into)
 * @param history what the next-behavior model reads of the whole behavior history beyond
 *     {@code recent} (bounded counters of every behavior {@link #apply} folds); empty while
 *     {@code recent} still holds every behavior, see {@link #historyCounters()}
 */
public record ProfileState(
    String userId,
    long eventCount,
    long firstSeenMillis,
    long lastEventMillis,
    WindowCounts counts,
    Sessions sessions,
    DecayedScores categories,
    DecayedScores brands,
    Spend spend,
    ContextStats context,
    RecentBehaviors recent,
    SeenEvents seen,
    Map<String, Object> attributes,
    ProfilePrediction prediction,
    RiskSignals risk,
    Consent consent,
    List<String> segments,
    long forgottenMillis,
    boolean changedSinceForgotten,
    IdentityLinks links,
    BehaviorHistory history) {

  /** Snapshots written before {@code risk} or {@code consent} existed recover with empty ones. */
  public ProfileState {
    if (risk == null) risk = RiskSignals.empty();
    if (consent == null) consent = Consent.NONE;
    segments = segments == null ? List.of() : List.copyOf(segments);
    if (links == null) links = IdentityLinks.NONE;
    if (history == null || history.count() == 0) history = BehaviorHistory.empty();
  }

  /**
   * The state of a user nobody has written to yet, without a user id: one instance for every entity
   * (Akka keeps each entity's empty state for the entity's lifetime, 96 bytes each otherwise).
   * {@link #forUser} gives it its user.
   */
  public static final ProfileState NO_USER = empty(null);

  /** This state, or for {@link #NO_USER} the empty state of {@code id}. */
  public ProfileState forUser(String id) {
    return userId != null ? this : empty(id);
  }

  public static ProfileState empty(String userId) {
    return new ProfileState(userId, 0, Long.MAX_VALUE, Long.MIN_VALUE, WindowCounts.empty(), Sessions.empty(),
        DecayedScores.empty(), DecayedScores.empty(), Spend.empty(), ContextStats.empty(), RecentBehaviors.empty(),
        SeenEvents.empty(), Map.of(), null, RiskSignals.empty(), Consent.NONE, List.of(), 0, false, IdentityLinks.NONE, BehaviorHistory.empty());
  }

  /**
   * What is left of a user forgotten at {@code atMillis}: nothing but the instant, so events stamped
   * before it are refused (see {@link BatchAdmission}) and later ones start a fresh profile.
   */
  public static ProfileState forgotten(String userId, long atMillis) {
    ProfileState e = empty(userId);
    return new ProfileState(userId, 0, Long.MAX_VALUE, Long.MIN_VALUE, e.counts, e.sessions, e.categories, e.brands, e.spend,
        e.context, e.recent, e.seen, Map.of(), null, e.risk, Consent.NONE, List.of(), atMillis, false, IdentityLinks.NONE, BehaviorHistory.empty());
  }

  /**
   * The empty profile of this user with {@code links} and forget instant {@code forgotten}, its
   * segment membership kept (the change a re-fold leads to is computed against it): the start of a
   * re-fold (see {@code identity.Ledger}).
   */
  public ProfileState restarted(long forgotten, IdentityLinks l) {
    ProfileState e = empty(userId);
    return new ProfileState(userId, 0, Long.MAX_VALUE, Long.MIN_VALUE, e.counts, e.sessions, e.categories, e.brands, e.spend,
        e.context, e.recent, e.seen, Map.of(), null, e.risk, Consent.NONE, segments, forgotten, false, l, BehaviorHistory.empty());
  }

  /**
   * This profile holding everything {@code folded} was folded from (as if its entries had been sent
   * here, in the same order), with this one's own identity links, forget instant and segment
   * membership, as {@link dev.profileengine.profile.identity.Ledger#fold} keeps them: what a profile
   * with nothing of its own becomes when it absorbs another. The prediction comes along, for the
   * same behaviors.
   */
  public ProfileState grafted(ProfileState folded) {
    return new ProfileState(userId, folded.eventCount, folded.firstSeenMillis, folded.lastEventMillis, folded.counts, folded.sessions,
        folded.categories, folded.brands, folded.spend, folded.context, folded.recent, folded.seen, folded.attributes, folded.prediction,
        folded.risk, folded.consent, segments, forgottenMillis, forgottenMillis != 0, links, folded.history);
  }

  /** This profile with its identity links replaced. */
  public ProfileState withLinks(IdentityLinks l) {
    return new ProfileState(userId, eventCount, firstSeenMillis, lastEventMillis, counts, sessions, categories, brands,
        spend, context, recent, seen, attributes, prediction, risk, consent, segments, forgottenMillis, changedSinceForgotten, l, history);
  }

  /** This state, marked as holding something journaled after the last forget (a no-op when never forgotten). */
  public ProfileState changed() {
    if (forgottenMillis == 0 || changedSinceForgotten) return this;
    return new ProfileState(userId, eventCount, firstSeenMillis, lastEventMillis, counts, sessions, categories, brands,
        spend, context, recent, seen, attributes, prediction, risk, consent, segments, forgottenMillis, true, links, history);
  }

  /**
   * Folds an event acknowledged without analytics consent: only its id is remembered (exactly-once),
   * nothing of the behavior is profiled.
   */
  public ProfileState acknowledged(String eventId, long timeMillis, ProfileSettings s) {
    long latest = Math.max(lastEventMillis, timeMillis);
    return new ProfileState(userId, eventCount, firstSeenMillis, lastEventMillis, counts, sessions, categories, brands,
        spend, context, recent, seen.add(eventId, timeMillis, latest, s.allowedLateness().toMillis(), s.maxRememberedIds()),
        attributes, prediction, risk, consent, segments, forgottenMillis, changedSinceForgotten, links, history);
  }

  /** False until the first event, attribute, consent choice or linked identity: such a profile does not exist for readers. */
  public boolean exists() {
    return eventCount > 0 || !attributes.isEmpty() || consent.updatedAt() != null || !links.groups().isEmpty();
  }

  /** Exactly-once and lateness checks for one (field-valid) event; for a batch use {@link BatchAdmission}. */
  public Admission admit(BehaviorEvent e, ProfileSettings s) {
    return new BatchAdmission(this, s).admit(e);
  }

  /** Folds one admitted event into the profile. */
  public ProfileState apply(BehaviorEvent e, ProfileSettings s) {
    long t = e.timeMillis();
    long latest = Math.max(lastEventMillis, t);
    long halfLife = s.interestHalfLife().toMillis();
    double w = s.interestWeight(e.type());
    Spend nextSpend = e.type() == BehaviorType.PURCHASE ? spend.purchase(t, e.price(), e.amount()) : spend;
    RecentBehaviors nextRecent = recent.add(e.asRecent(), s.recentBehaviors());
    return new ProfileState(
        userId,
        eventCount + 1,
        Math.min(firstSeenMillis, t),
        latest,
        counts.add(e.type(), t, latest),
        sessions.add(t, e.dwellMs() == null ? 0 : e.dwellMs(), latest, s.sessionGap().toMillis(), s.allowedLateness().toMillis()),
        categories.add(e.categoryId(), w, t, halfLife, s.interestTopK()),
        brands.add(e.brand(), w, t, halfLife, s.interestTopK()),
        nextSpend,
        context.add(e.context(), t, s.contextTopK()),
        nextRecent,
        seen.add(e.eventId(), t, latest, s.allowedLateness().toMillis(), s.maxRememberedIds()),
        attributes,
        prediction,
        risk.add(e, s.risk()),
        consent,
        segments,
        forgottenMillis,
        changedSinceForgotten, links, historyWith(e.asRecent(), nextRecent));
  }

  /**
   * The model's counters of every behavior folded: {@code history} once {@code recent} has dropped
   * a behavior, before that the fold of {@code recent}, which then holds them all (so a profile of
   * up to 50 behaviors carries no counters: the shared empty ones).
   */
  public BehaviorHistory historyCounters() {
    return history.count() > 0 ? history : BehaviorHistory.of(recent.items());
  }

  private BehaviorHistory historyWith(RecentBehavior b, RecentBehaviors nextRecent) {
    if (history.count() == 0 && nextRecent.items().size() == recent.items().size() + 1) return history; // nothing dropped yet
    return historyCounters().with(b);
  }

  /** Sets (or, for a null value, removes) static attributes. */
  public ProfileState withAttributes(Map<String, Object> changes) {
    Map<String, Object> next = AttributeLimits.merged(attributes, changes);
    return new ProfileState(userId, eventCount, firstSeenMillis, lastEventMillis, counts, sessions, categories, brands,
        spend, context, recent, seen, Map.copyOf(next), prediction, risk, consent, segments, forgottenMillis, changedSinceForgotten, links, history);
  }

  /** Keeps {@code p} if it was computed from a newer state than the current prediction. */
  public ProfileState withPrediction(ProfilePrediction p) {
    if (prediction != null && prediction.asOfEventCount() > p.asOfEventCount()) return this;
    return new ProfileState(userId, eventCount, firstSeenMillis, lastEventMillis, counts, sessions, categories, brands,
        spend, context, recent, seen, attributes, p, risk, consent, segments, forgottenMillis, changedSinceForgotten, links, history);
  }

  /**
   * Records consent choices. Withdrawing personalization also drops the current prediction: none is
   * kept or computed for the user from then on. Without analytics the behavior data is dropped too
   * (counts, sessions, interests, spend, context, recent behaviors, risk signals, prediction): later
   * events are only acknowledged ({@link #acknowledged}) until analytics is granted again.
   */
  public ProfileState withConsent(Map<Consent.Purpose, Boolean> changes, java.time.Instant at, Consent.ConsentDefaults defaults) {
    Consent next = consent.with(changes, at);
    if (!next.granted(Consent.Purpose.ANALYTICS, defaults)) {
      // Without analytics nothing of the user's behavior is kept: only attributes, consent, the
      // remembered event ids (exactly-once) and the forget instant survive.
      ProfileState e = empty(userId);
      return new ProfileState(userId, 0, Long.MAX_VALUE, Long.MIN_VALUE, e.counts, e.sessions, e.categories, e.brands, e.spend,
          e.context, e.recent, seen, attributes, null, e.risk, next, segments, forgottenMillis, changedSinceForgotten, links, BehaviorHistory.empty());
    }
    ProfilePrediction keep = next.granted(Consent.Purpose.PERSONALIZATION, defaults) ? prediction : null;
    return new ProfileState(userId, eventCount, firstSeenMillis, lastEventMillis, counts, sessions, categories, brands,
        spend, context, recent, seen, attributes, keep, risk, next, segments, forgottenMillis, changedSinceForgotten, links, history);
  }

  /** Records the current segment membership (sorted ids). */
  public ProfileState withSegments(List<String> members) {
    return new ProfileState(userId, eventCount, firstSeenMillis, lastEventMillis, counts, sessions, categories, brands,
        spend, context, recent, seen, attributes, prediction, risk, consent, members, forgottenMillis, changedSinceForgotten, links, history);
  }

  /**
   * The segments of {@code definitions} this profile belongs to as of {@code asOf} (null, or an
   * instant not after the latest event: the latest event time), consent applied.
   */
  public List<String> memberships(SegmentDefinitions definitions, ProfileSettings s, Instant asOf) {
    if (definitions.segments().isEmpty() || !exists()) return List.of();
    Instant at = asOf != null && InstantRange.millis(asOf) > lastEventMillis ? InstantRange.clamp(asOf) : null;
    return List.copyOf(definitions.evaluate(ProfileFacts.of(this, s, at), allows(Consent.Purpose.ADS, s)));
  }

  /** Whether the user allows {@code purpose}, explicitly or by default. */
  public boolean allows(Consent.Purpose purpose, ProfileSettings s) {
    return consent.granted(purpose, s.consentDefaults());
  }

  public List<RecentBehavior> recentBehaviors() {
    return recent.items();
  }

  /** The instant a reading refers to: {@code asOf}, else the latest event time, else (no events) now. */
  public long readingMillis(Instant asOf) {
    return asOf != null ? InstantRange.millis(asOf) : eventCount > 0 ? lastEventMillis : System.currentTimeMillis();
  }

  /** Churn risk as of {@code asOfMillis}, see {@link ChurnRisk}. */
  public Churn churn(long asOfMillis, ProfileSettings s) {
    return ChurnRisk.of(this, asOfMillis, s.churn());
  }

  /** Anomaly flags raised as of {@code asOfMillis}, see {@link RiskFlags}. */
  public List<Flag> flags(long asOfMillis, ProfileSettings s) {
    return RiskFlags.evaluate(this, asOfMillis, s.risk());
  }

  /** The view with the recorded segment memberships. */
  public ProfileView view(Instant asOf, ProfileSettings s) {
    return view(asOf, s, segments);
  }

  /**
   * The profile as readers see it. Windows, decay, recency, churn and flags are computed as of
   * {@code asOf}; null means the profile's latest event time, so replays of historical data read
   * sensibly. {@code segments} is the current membership, which the caller keeps.
   */
  public ProfileView view(Instant asOf, ProfileSettings s, List<String> segments) {
    boolean hasEvents = eventCount > 0;
    long at = readingMillis(asOf);
    long halfLife = s.interestHalfLife().toMillis();
    return new ProfileView(
        userId,
        eventCount,
        hasEvents ? Instant.ofEpochMilli(firstSeenMillis) : null,
        hasEvents ? Instant.ofEpochMilli(lastEventMillis) : null,
        Instant.ofEpochMilli(at),
        counts.view(at),
        sessions.view(),
        new ProfileView.Interests(categories.ranked(at, halfLife), brands.ranked(at, halfLife)),
        spend.view(at, s.rfm()),
        context.view(),
        new TreeMap<>(attributes),
        recent.items().stream().map(ProfileView.Recent::of).toList(),
        prediction == null ? null : ProfileView.PredictionView.of(prediction, eventCount),
        churn(at, s),
        flags(at, s),
        List.copyOf(segments),
        new ProfileView.ConsentView(consent.effective(s.consentDefaults()), consent.updatedAt()),
        identities());
  }

  /** The profile's identities by type (its own and every linked one), values sorted. */
  public Map<String, List<String>> identities() {
    if (userId == null) return Map.of();
    return Identity.byType(links.identities(userId));
  }
}
