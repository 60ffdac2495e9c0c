package dev.profileengine.gateway.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.persistence.query.EventEnvelope;
import akka.persistence.query.Offset;
import dev.profileengine.engine.ErasureLog;
import dev.profileengine.engine.UserProfile;
import dev.profileengine.engine.changes.ChangeFeed;
import dev.profileengine.profile.BehaviorEvent;
import dev.profileengine.profile.BehaviorType;
import dev.profileengine.profile.Consent;
import dev.profileengine.profile.ProfilePrediction;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The SSE {@code profile-changed} payload of every cause, pinned as the change stream wrote it
 * before the typed change model: clients parse these field names.
 */
class ChangeJsonTest {
  private static final Instant T = Instant.parse("2017-11-26T01:00:18.250Z");
  private static final long JOURNALED = Instant.parse("2017-11-26T02:00:00Z").toEpochMilli();

  private static String render(Object journalEvent) {
    EventEnvelope env = new EventEnvelope(Offset.sequence(42), "UserProfile|u1", 7L, journalEvent, JOURNALED, scala.Option.empty());
    return ChangeJson.render(ChangeFeed.toChange(env));
  }

  @Test
  void anEventWithEveryField() {
    BehaviorEvent e = BehaviorEvent.of("e1", "u1", BehaviorType.PURCHASE, T).withCategory("i9", "c3").withPurchase("acme", 2.5, 3);
    assertEquals("{\"offset\":42,\"userId\":\"u1\",\"at\":\"2017-11-26T02:00:00Z\",\"cause\":\"event\",\"eventIds\":[\"e1\"],\"changes\":{\"type\":\"purchase\",\"eventTime\":\"2017-11-26T01:00:18.250Z\",\"itemId\":\"i9\",\"categoryId\":\"c3\",\"brand\":\"acme\",\"amount\":7.5}}",
         render(new UserProfile.EventRecorded(e)));
  }

  @Test
  void anEventWithoutOptionalFields() {
    assertEquals("{\"offset\":42,\"userId\":\"u1\",\"at\":\"2017-11-26T02:00:00Z\",\"cause\":\"event\",\"eventIds\":[\"e2\"],\"changes\":{\"type\":\"favorite\",\"eventTime\":\"2017-11-26T01:00:18.250Z\"}}",
         render(new UserProfile.EventRecorded(BehaviorEvent.of("e2", "u1", BehaviorType.FAVORITE, T))));
  }

  @Test
  void attributes() {
    Map<String, Object> attrs = new LinkedHashMap<>();
    attrs.put("tier", "gold");
    attrs.put("age", 31);
    attrs.put("vip", true);
    attrs.put("score", 0.5);
    assertEquals("{\"offset\":42,\"userId\":\"u1\",\"at\":\"2017-11-26T01:00:18.250Z\",\"cause\":\"attributes\",\"eventIds\":[],\"changes\":{\"attributes\":{\"age\":31,\"score\":0.5,\"tier\":\"gold\",\"vip\":true}}}",
         render(new UserProfile.AttributesSet(attrs, T)));
  }

  @Test
  void prediction() {
    Map<String, Double> next = new LinkedHashMap<>();
    next.put("view", 0.7);
    next.put("purchase", 0.3);
    var p = new ProfilePrediction("m-3", 12, "e12", next, "view",
        List.of(new ProfilePrediction.Category("c1", 0.4), new ProfilePrediction.Category("c2", 0.3),
            new ProfilePrediction.Category("c3", 0.2), new ProfilePrediction.Category("c4", 0.1)), T);
    assertEquals("{\"offset\":42,\"userId\":\"u1\",\"at\":\"2017-11-26T02:00:00Z\",\"cause\":\"prediction\",\"eventIds\":[\"e12\"],\"changes\":{\"modelVersion\":\"m-3\",\"asOfEventCount\":12,\"nextBehavior\":{\"view\":0.7,\"purchase\":0.3},\"predictedBehavior\":\"view\",\"nextCategories\":[{\"id\":\"c1\",\"probability\":0.4},{\"id\":\"c2\",\"probability\":0.3},{\"id\":\"c3\",\"probability\":0.2}]}}",
         render(new UserProfile.PredictionUpdated(p)));
  }

  @Test
  void predictionWithoutEventOrBehavior() {
    var p = new ProfilePrediction("m-3", 0, null, Map.of(), null, List.of(), T);
    assertEquals("{\"offset\":42,\"userId\":\"u1\",\"at\":\"2017-11-26T02:00:00Z\",\"cause\":\"prediction\",\"eventIds\":[],\"changes\":{\"modelVersion\":\"m-3\",\"asOfEventCount\":0,\"nextBehavior\":{},\"nextCategories\":[]}}",
         render(new UserProfile.PredictionUpdated(p)));
  }

  @Test
  void consent() {
    Map<Consent.Purpose, Boolean> changes = new LinkedHashMap<>();
    changes.put(Consent.Purpose.PERSONALIZATION, false);
    changes.put(Consent.Purpose.ANALYTICS, true);
    changes.put(Consent.Purpose.ADS, false);
    assertEquals("{\"offset\":42,\"userId\":\"u1\",\"at\":\"2017-11-26T01:00:18.250Z\",\"cause\":\"consent\",\"eventIds\":[],\"changes\":{\"consent\":{\"ads\":false,\"analytics\":true,\"personalization\":false}}}",
         render(new UserProfile.ConsentSet(changes, T)));
  }

  @Test
  void segments() {
    assertEquals("{\"offset\":42,\"userId\":\"u1\",\"at\":\"2017-11-26T01:00:18.250Z\",\"cause\":\"segments\",\"eventIds\":[],\"changes\":{\"entered\":[\"buyers\"],\"left\":[\"browsers\",\"new\"],\"segments\":[\"buyers\",\"vip\"]}}",
         render(new UserProfile.SegmentsChanged(List.of("buyers"), List.of("browsers", "new"), List.of("buyers", "vip"), T)));
  }

  @Test
  void acknowledged() {
    assertEquals("{\"offset\":42,\"userId\":\"u1\",\"at\":\"2017-11-26T02:00:00Z\",\"cause\":\"acknowledged\",\"eventIds\":[\"e3\"],\"changes\":{}}",
         render(new UserProfile.EventAcknowledged("e3", T)));
  }

  @Test
  void forgottenByTheProfile() {
    assertEquals("{\"offset\":42,\"userId\":\"u1\",\"at\":\"2017-11-26T01:00:18.250Z\",\"cause\":\"forgotten\",\"eventIds\":[],\"changes\":{}}",
         render(new UserProfile.Forgotten(T)));
  }

  @Test
  void forgottenByTheErasureLog() {
    EventEnvelope env = new EventEnvelope(Offset.sequence(43), "ErasureLog|0", 3L, new ErasureLog.UserForgotten("u2", T), JOURNALED, scala.Option.empty());
    assertEquals("{\"offset\":43,\"userId\":\"u2\",\"at\":\"2017-11-26T01:00:18.250Z\",\"cause\":\"forgotten\",\"eventIds\":[],\"changes\":{}}",
         ChangeJson.render(ChangeFeed.toChange(env)));
  }

  @Test
  void theSegmentFilterKeepsEntriesExitsAndErasures() {
    ChangeFeed.ProfileChanged moved = new ChangeFeed.ProfileChanged(1, "u1", T,
        new dev.profileengine.engine.changes.ProfileChange.SegmentsChanged(List.of("buyers"), List.of("browsers"), List.of("buyers")));
    assertTrue(dev.profileengine.engine.profiles.ChangeSubscription.touches(moved, "buyers"));
    assertTrue(dev.profileengine.engine.profiles.ChangeSubscription.touches(moved, "browsers"));
    assertFalse(dev.profileengine.engine.profiles.ChangeSubscription.touches(moved, "vip"), "a member staying in is no entry");
    assertTrue(dev.profileengine.engine.profiles.ChangeSubscription.touches(new ChangeFeed.ProfileChanged(2, "u1", T, new dev.profileengine.engine.changes.ProfileChange.Forgotten()), "vip"));
    assertFalse(dev.profileengine.engine.profiles.ChangeSubscription.touches(new ChangeFeed.ProfileChanged(3, "u1", T, new dev.profileengine.engine.changes.ProfileChange.Acknowledged("e1")), "buyers"));
  }
}
