package dev.profileengine.engine.serialization;

import akka.actor.typed.ActorRef;
import dev.profileengine.engine.ErasureLog;
import dev.profileengine.engine.JournalEraser;
import dev.profileengine.engine.UserProfile;
import dev.profileengine.engine.model.ModelAssignment;
import dev.profileengine.engine.model.ModelService;
import dev.profileengine.engine.training.ModelTraining;
import dev.profileengine.engine.training.TrainingRun;
import dev.profileengine.engine.model.NodeModels;
import dev.profileengine.profile.BehaviorEvent;
import dev.profileengine.profile.BehaviorType;
import dev.profileengine.profile.Consent;
import dev.profileengine.profile.EventContext;
import dev.profileengine.profile.EventResult;
import dev.profileengine.profile.IdentityLinks;
import dev.profileengine.profile.ProfilePrediction;
import dev.profileengine.profile.ProfileSettings;
import dev.profileengine.profile.identity.LedgerEntry;
import dev.profileengine.profile.ProfileState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The richly populated values behind the golden fixtures (src/test/resources/golden): every optional
 * field set, several behavior types, attributes, context, prediction, consent, segments and a raised
 * risk flag. The fixtures hold these values as serialized by the code of their time; the test reads
 * them back and compares field by field with what this class builds, so these values must not change
 * once their fixtures are committed (add new values for new types instead).
 */
final class GoldenValues {
  static final String USER = "u-golden";
  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  /** The path of the reply-to refs in command fixtures (a system named {@link #SYSTEM}). */
  static final String SYSTEM = "golden";

  private GoldenValues() {}

  /** One accepted behavior of each type, every optional field set on some, two countries minutes apart. */
  static List<BehaviorEvent> behaviors() {
    EventContext cn = new EventContext("mobile", "android", "app", "CN", "Hangzhou", "wifi");
    EventContext us = new EventContext("desktop", "macos", "web", "US", "New York", "ethernet");
    return List.of(
        new BehaviorEvent("e1", USER, BehaviorType.VIEW, T0, "i1", "c1", "acme", null, null, null, 1200L, 1, cn),
        new BehaviorEvent("e2", USER, BehaviorType.CLICK, T0.plusSeconds(30), "i1", "c1", "acme", null, null, null, 800L, 2, cn),
        new BehaviorEvent("e3", USER, BehaviorType.FAVORITE, T0.plusSeconds(90), "i2", "c2", "zenith", null, null, null, null, null, null),
        new BehaviorEvent("e4", USER, BehaviorType.CART, T0.plusSeconds(200), "i2", "c2", "zenith", 19.99, 2, null, 300L, 3, cn),
        new BehaviorEvent("e5", USER, BehaviorType.SEARCH, T0.plusSeconds(400), null, null, null, null, null, "red shoes", 2500L, 1, cn),
        new BehaviorEvent("e6", USER, BehaviorType.PURCHASE, T0.plusSeconds(900), "i2", "c2", "zenith", 19.99, 2, "red shoes", 4000L, 4, us),
        new BehaviorEvent("e7", USER, BehaviorType.VIEW, T0.plus(java.time.Duration.ofDays(2)), "i3", "c3", "acme", 5.5, 1, "hat", 100L, 7, us));
  }

  static Map<String, Object> attributes() {
    Map<String, Object> a = new TreeMap<>();
    a.put("tier", "gold");
    a.put("age", 34);
    a.put("vip", true);
    a.put("score", 4.5);
    return a;
  }

  static ProfilePrediction prediction() {
    Map<String, Double> next = new LinkedHashMap<>();
    next.put("view", 0.5);
    next.put("click", 0.2);
    next.put("favorite", 0.05);
    next.put("cart", 0.1);
    next.put("purchase", 0.1);
    next.put("search", 0.05);
    return new ProfilePrediction("model-3", 7, "e7", next, "view",
        List.of(new ProfilePrediction.Category("c2", 0.4), new ProfilePrediction.Category("c3", 0.25)), T0.plusSeconds(910));
  }

  static Map<Consent.Purpose, Boolean> consentChanges() {
    Map<Consent.Purpose, Boolean> c = new EnumMap<>(Consent.Purpose.class);
    c.put(Consent.Purpose.PERSONALIZATION, true);
    c.put(Consent.Purpose.ADS, false);
    return c;
  }

  /** Every profile event type, in journal order (sequence numbers 1..n). */
  static List<UserProfile.Event> profileEvents() {
    List<UserProfile.Event> events = new ArrayList<>();
    for (BehaviorEvent b : behaviors()) events.add(new UserProfile.EventRecorded(b));
    Map<String, Object> withRemoval = new LinkedHashMap<>(attributes());
    withRemoval.put("nickname", null); // a null value removes the attribute
    events.add(new UserProfile.AttributesSet(withRemoval, T0.plusSeconds(905)));
    events.add(new UserProfile.PredictionUpdated(prediction()));
    events.add(new UserProfile.ConsentSet(consentChanges(), T0.plusSeconds(920)));
    events.add(new UserProfile.SegmentsChanged(List.of("buyers", "mobile"), List.of("newcomers"), List.of("buyers", "mobile", "vip"),
        T0.plusSeconds(921)));
    return events;
  }

  /** The state the entity folds from {@link #profileEvents()} (as UserProfile.applyEvent does). */
  static ProfileState fold(List<UserProfile.Event> events, ProfileState from, ProfileSettings s) {
    ProfileState state = from;
    for (UserProfile.Event event : events) {
      if (event instanceof UserProfile.EventRecorded e) state = state.apply(e.event(), s);
      else if (event instanceof UserProfile.AttributesSet e) state = state.withAttributes(e.attributes());
      else if (event instanceof UserProfile.PredictionUpdated e) state = state.withPrediction(e.prediction());
      else if (event instanceof UserProfile.ConsentSet e) state = state.withConsent(e.changes(), e.at(), s.consentDefaults());
      else if (event instanceof UserProfile.SegmentsChanged e) state = state.withSegments(e.members());
      else throw new IllegalArgumentException("unknown event " + event);
    }
    return state;
  }

  /** The snapshot value: everything folded with the default settings. */
  static ProfileState snapshot() {
    return fold(profileEvents(), ProfileState.empty(USER), ProfileSettings.defaults());
  }

  /**
   * The snapshot of the current format: {@link #snapshot()} with identity links (a linked group, a
   * seen-with record and an identity blocked by an unmerge), which older formats could not hold.
   */
  static ProfileState linkedSnapshot() {
    IdentityLinks links = IdentityLinks.NONE.linked(List.of("~anonymousId:a-1", "~device:d-1"), "~anonymousId:a-1")
        .seen(List.of("u-1", "u-2"), 3).blocking(List.of("~anonymousId:a-2", "~email:h:00aa"));
    return snapshot().withLinks(links);
  }

  /** The journaled and snapshotted values, by fixture name (the stable manifest without its version). */
  static Map<String, Object> stored() {
    Map<String, Object> v = new LinkedHashMap<>();
    List<UserProfile.Event> events = profileEvents();
    v.put("profile.EventRecorded", events.get(5)); // the purchase: every optional field set
    v.put("profile.AttributesSet", events.get(7));
    v.put("profile.PredictionUpdated", events.get(8));
    v.put("profile.ConsentSet", events.get(9));
    v.put("profile.SegmentsChanged", events.get(10));
    v.put("profile.State", snapshot());
    v.put("erasure.UserForgotten", new ErasureLog.UserForgotten(USER, T0.plusSeconds(3600)));
    v.put("erasure.State", new ErasureLog.State(42));
    return v;
  }

  /**
   * The values of the fixtures kept in {@code older/} when their type's version changed, by
   * {@code <name>.v<version>}: what a row or snapshot of that version must read back as now.
   */
  /** The entries of the identity graph's events and messages: one of each kind. */
  static List<LedgerEntry> entries() {
    return List.of(LedgerEntry.event(behaviors().get(0)), LedgerEntry.acknowledged("~anonymousId:a-1", "e-ack-2", T0.plusSeconds(950)),
        LedgerEntry.attributes("~anonymousId:a-1", attributes(), T0.plusSeconds(960)), LedgerEntry.consent(USER, consentChanges(), T0.plusSeconds(970)));
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  /** A training run that went through every step up to its promotion. */
  static TrainingRun trainingRun() {
    TrainingRun r = TrainingRun.start("run-3", "akka://profile-engine@10.0.0.7:25520", T0.plusSeconds(1000), null, null)
        .exported(T0.minusSeconds(86_400), T0, 14_738, 686)
        .step(TrainingRun.Status.TRAINING, T0.plusSeconds(1010), "14738 behaviors of 686 users")
        .trained("trained-3-20171203", "nb-gru-v2")
        .step(TrainingRun.Status.EVALUATING, T0.plusSeconds(1300), "trained in 290 s")
        .evaluated(new TrainingRun.Quality(0.82, 0.39, 0.3906, 0.7255), new TrainingRun.Quality(0.81, 0.38, 0.3987, null))
        .step(TrainingRun.Status.COMPARING, T0.plusSeconds(1400), "serving to 10% of users");
    return r.compared(new TrainingRun.Online(1000, 0.8, 0.39), new TrainingRun.Online(9000, 0.79, 0.41), T0.plusSeconds(5000))
        .step(TrainingRun.Status.PROMOTED, T0.plusSeconds(5000), "online log-loss 0.3900 over 1000 predictions");
  }

  static Map<String, Object> older(ActorRef ref) {
    Map<String, Object> v = new LinkedHashMap<>();
    // Before online scores in what a node serves: none reported.
    v.put("model.Served.v1", new NodeModels.Served("akka://profile-engine@10.0.0.7:25520", "nb-gru-v2", "nb-gru-v3", 10, 7,
        "candidate nb-gru-v3: no model version nb-gru-v3", Map.of()));
    // Before links.blocked: the snapshot of its time had no identity links at all.
    v.put("profile.State.v4", snapshot());
    // Before history: the counters are rebuilt from the snapshot's recent window, which holds
    // every behavior of this profile, so they equal the fold's.
    v.put("profile.State.v5", linkedSnapshot());
    // Before Resolution.blocked: a node of that version answers with nothing blocked.
    v.put("profile.Resolution.v1", new UserProfile.Resolution(USER, List.of("~anonymousId:a-1", "~email:h:00ff"), true));
    // Before unmerge blocks passed on with a merge: none carried.
    List<LedgerEntry> entries = entries();
    List<String> keys = List.of("~anonymousId:a-1", "~email:h:00ff");
    v.put("profile.MergedInto.v1", new UserProfile.MergedInto(USER, T0.plusSeconds(981)));
    v.put("profile.Absorbed.v1", new UserProfile.Absorbed("~anonymousId:a-1", keys, entries, List.of(), T0.plusSeconds(983)));
    v.put("profile.SplitOff.v1", new UserProfile.SplitOff("~anonymousId:a-1", keys, entries, List.of(), T0.plusSeconds(985)));
    v.put("profile.Restored.v1", new UserProfile.Restored(USER, keys, entries, List.of(), T0.plusSeconds(986)));
    v.put("profile.Absorb.v1", new UserProfile.Absorb("~anonymousId:a-1", keys, entries, List.of(), null, ref));
    v.put("profile.Restore.v1", new UserProfile.Restore(USER, keys, entries, List.of(), null, ref));
    // Before the receiving side read the entries from the sender's journal: carried in the message.
    List<String> blocked = List.of("~anonymousId:a-3", "~device:d-3");
    v.put("profile.Absorb.v2", new UserProfile.Absorb("~anonymousId:a-1", keys, entries, blocked, null, ref));
    v.put("profile.Restore.v2", new UserProfile.Restore(USER, keys, entries, blocked, null, ref));
    v.put("profile.LedgerLoaded.v1", new UserProfile.LedgerLoaded(entries, Map.of()));
    // Before a merged profile that brought no entries left the canonical one's as they were: refolded.
    v.put("profile.Absorbed.v2", new UserProfile.Absorbed("~anonymousId:a-1", keys, entries, blocked, T0.plusSeconds(983)));
    // Before a merge handed over the merged profile's folded state: the entries read and refolded.
    v.put("profile.Absorbed.v3", new UserProfile.Absorbed("~anonymousId:a-1", keys, List.of(), blocked, T0.plusSeconds(983), true));
    v.put("profile.Absorb.v3", new UserProfile.Absorb("~anonymousId:a-1", keys, List.of(), blocked, 41L, ref));
    // Before an event's merge could be answered when started: answered when it ends.
    v.put("profile.MergeInto.v1", new UserProfile.MergeInto(USER, ref));
    return v;
  }

  /** Every value bound to the serializer: the stored ones, commands and replies (reply-to refs are {@code ref}). */
  @SuppressWarnings({"unchecked", "rawtypes"})
  static Map<String, Object> all(ActorRef ref) {
    Map<String, Object> v = new LinkedHashMap<>(stored());
    v.put("profile.State", linkedSnapshot());
    // Journaled types newer than the legacy format (so without a legacy fixture).
    v.put("profile.EventAcknowledged", new UserProfile.EventAcknowledged("e-ack-1", T0.plusSeconds(930)));
    v.put("profile.Forgotten", new UserProfile.Forgotten(T0.plusSeconds(940)));
    // The identity graph's events and messages.
    List<LedgerEntry> entries = entries();
    List<String> keys = List.of("~anonymousId:a-1", "~email:h:00ff");
    v.put("profile.MergeStarted", new UserProfile.MergeStarted(USER, T0.plusSeconds(980)));
    v.put("profile.MergedInto", new UserProfile.MergedInto(USER, T0.plusSeconds(981), true));
    v.put("profile.LinkCancelled", new UserProfile.LinkCancelled(USER, "the profiles hold different userId values", T0.plusSeconds(982)));
    List<String> blocked = List.of("~anonymousId:a-3", "~device:d-3");
    // A customer's new profile taking the anonymous one's folded state (its entries stay in that journal, up to 41).
    UserProfile.FoldedState folded = new UserProfile.FoldedState(linkedSnapshot());
    v.put("profile.Absorbed", new UserProfile.Absorbed("~anonymousId:a-1", keys, List.of(), blocked, T0.plusSeconds(983), null, 41L, folded));
    v.put("profile.SplitStarted", new UserProfile.SplitStarted("~anonymousId:a-1", T0.plusSeconds(984)));
    v.put("profile.SplitOff", new UserProfile.SplitOff("~anonymousId:a-1", keys, entries, List.of("~anonymousId:a-3"), T0.plusSeconds(985)));
    v.put("profile.Restored", new UserProfile.Restored(USER, keys, entries, blocked, T0.plusSeconds(986)));
    v.put("profile.LinkBlocked", new UserProfile.LinkBlocked(keys, T0.plusSeconds(988)));
    v.put("profile.Resolve", new UserProfile.Resolve(ref));
    v.put("profile.SeenWith", new UserProfile.SeenWith(List.of("u-1", "u-2"), 3, ref));
    v.put("profile.IdentitySeen", new UserProfile.IdentitySeen(List.of("u-1", "u-2"), 3, T0.plusSeconds(987)));
    v.put("profile.MergeInto", new UserProfile.MergeInto(USER, true, ref));
    v.put("profile.Absorb", new UserProfile.Absorb("~anonymousId:a-1", keys, List.of(), blocked, 41L, folded, ref));
    v.put("profile.Unmerge", new UserProfile.Unmerge("~anonymousId:a-1", ref));
    v.put("profile.Restore", new UserProfile.Restore(USER, keys, List.of(), blocked, 57L, ref));
    v.put("profile.LedgerLoaded", new UserProfile.LedgerLoaded(entries, Map.of("~anonymousId:a-3", List.of(USER, "~anonymousId:a-1"),
        "~device:d-3", List.of("~anonymousId:a-1"))));
    v.put("profile.LedgerFailed", new UserProfile.LedgerFailed("journal unavailable"));
    v.put("profile.CanonicalAnswered", new UserProfile.CanonicalAnswered(USER, new UserProfile.LinkReply(UserProfile.LinkReply.Status.LINKED, USER, null, null), ref));
    v.put("profile.OtherSideAnswered", new UserProfile.OtherSideAnswered(new UserProfile.LinkReply(UserProfile.LinkReply.Status.REFUSED, USER, "identities.email", "two values")));
    v.put("profile.Resolution", new UserProfile.Resolution(USER, keys, true, List.of("~anonymousId:a-2")));
    v.put("profile.LinkReply", new UserProfile.LinkReply(UserProfile.LinkReply.Status.LINKED, USER, null, null));
    List<BehaviorEvent> behaviors = behaviors();
    v.put("profile.RecordEvents", new UserProfile.RecordEvents(behaviors, ref));
    v.put("profile.GetProfile", new UserProfile.GetProfile(T0.plusSeconds(60), ref));
    v.put("profile.SetAttributes", new UserProfile.SetAttributes(attributes(), ref));
    v.put("profile.SetConsent", new UserProfile.SetConsent(consentChanges(), ref));
    v.put("profile.Forget", new UserProfile.Forget(ref));
    v.put("profile.ForgetHere", new UserProfile.ForgetHere(ref));
    v.put("profile.ForgetDone", new UserProfile.ForgetDone(new JournalEraser.Erased(11, 2)));
    v.put("profile.ForgetFailed", new UserProfile.ForgetFailed("journal unavailable"));
    v.put("profile.SnapshotSettled", new UserProfile.SnapshotSettled());
    v.put("profile.ReevaluateSegments", new UserProfile.ReevaluateSegments(T0.plusSeconds(7200), ref));
    v.put("profile.PredictionReady", new UserProfile.PredictionReady(prediction()));
    v.put("profile.PredictionFailed", new UserProfile.PredictionFailed("queue full"));
    v.put("profile.WritePredicted", new UserProfile.WritePredicted(Optional.of(prediction())));
    v.put("profile.Stop", new UserProfile.Stop());
    v.put("profile.Recorded", new UserProfile.Recorded(List.of(
        new EventResult("e1", EventResult.ACCEPTED, null, null, null),
        new EventResult("e2", EventResult.DUPLICATE, null, null, null),
        new EventResult("e3", EventResult.REJECTED, "price: must not be negative", "price", "got -5.0"))));
    v.put("profile.ProfileReply", new UserProfile.ProfileReply(Optional.of(snapshot().view(null, ProfileSettings.defaults()))));
    v.put("profile.ForgetReply", new UserProfile.ForgetReply(true, 11, 2, "partial"));
    v.put("erasure.RecordForgotten", new ErasureLog.RecordForgotten(USER, T0.plusSeconds(3600), ref));
    // The cluster's model assignment (journaled, published, asked between nodes).
    v.put("model.Activated", new ModelAssignment.Activated("nb-gru-v2", T0.plusSeconds(100)));
    v.put("model.CandidateSet", new ModelAssignment.CandidateSet("nb-gru-v3", 10, T0.plusSeconds(200)));
    v.put("model.CandidateCleared", new ModelAssignment.CandidateCleared(T0.plusSeconds(300)));
    v.put("model.Assignment", new ModelAssignment.Assignment("nb-gru-v2", "nb-gru-v3", 10, 7, T0.plusSeconds(200)));
    v.put("model.Activate", new ModelAssignment.Activate("nb-gru-v2", ref));
    v.put("model.SetCandidate", new ModelAssignment.SetCandidate("nb-gru-v3", 10, ref));
    v.put("model.ClearCandidate", new ModelAssignment.ClearCandidate(ref));
    v.put("model.GetAssignment", new ModelAssignment.GetAssignment(ref));
    v.put("model.GetServed", new NodeModels.GetServed(ref));
    v.put("model.Served", new NodeModels.Served("akka://profile-engine@10.0.0.7:25520", "nb-gru-v2", "nb-gru-v3", 10, 7,
        "candidate nb-gru-v3: no model version nb-gru-v3", Map.of("nb-gru-v2", new ModelService.OnlineScore.Totals(1200, 980, 471.25),
            "nb-gru-v3", new ModelService.OnlineScore.Totals(130, 101, 52.5))));
    TrainingRun run = trainingRun();
    v.put("training.Start", new ModelTraining.Start("akka://profile-engine@10.0.0.7:25520", T0.minusSeconds(86_400), T0, ref));
    v.put("training.Update", new ModelTraining.Update(run, ref));
    v.put("training.Alive", new ModelTraining.Alive("run-3", ref));
    v.put("training.GetRuns", new ModelTraining.GetRuns(ref));
    v.put("training.Run", run);
    v.put("training.RunUpdated", new ModelTraining.RunUpdated(run));
    v.put("training.Runs", new ModelTraining.Runs(List.of(run), 3));
    return v;
  }
}
