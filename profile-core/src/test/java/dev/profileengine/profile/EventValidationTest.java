package dev.profileengine.profile;

import static dev.profileengine.profile.Events.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventValidationTest {
  private static final EventValidation V = EventValidation.defaults();
  private static final Instant NOW = T0;

  private static List<String> fields(BehaviorEvent e) {
    return V.validate(e, NOW).stream().map(FieldError::field).toList();
  }

  @Test
  void aCompleteEventIsValid() {
    BehaviorEvent e = Events.purchase("e1", T0, 19.99, 2)
        .withBrowsing("red shoes", 1200L, 3, new EventContext("phone", "ios", "app", "CN", "Hangzhou", "5g"));
    assertEquals(List.of(), V.validate(e, NOW));
  }

  @Test
  void requiredFieldsAreNamed() {
    assertEquals(List.of("eventId", "userId", "type", "timestamp"), fields(new BehaviorEvent(
        null, " ", null, null, null, null, null, null, null, null, null, null, null)));
  }

  /** The hint about seconds is given where the time looks like epoch seconds read as milliseconds, not for any early date. */
  @Test
  void anEarlyTimeHintsAtSecondsOnlyWhenItLooksLikeSeconds() {
    String seconds = V.validate(BehaviorEvent.of("e", "u1", BehaviorType.VIEW, Instant.ofEpochMilli(1_511_658_018L)), NOW).get(0).reason();
    assertTrue(seconds.contains("seconds sent"), seconds);
    String early = V.validate(BehaviorEvent.of("e", "u1", BehaviorType.VIEW, Instant.parse("1000-01-01T00:00:00Z")), NOW).get(0).reason();
    assertTrue(early.startsWith("is before 2000") && !early.contains("seconds"), early);
  }

  /** A user id no request path could name (dot segments, U+FFFD) would be a profile nobody could read or forget. */
  @Test
  void userIdsNoPathCouldNameAreRejected() {
    for (String id : List.of(".", "..", "u-\uFFFD")) {
      List<FieldError> errors = V.validate(BehaviorEvent.of("e", id, BehaviorType.VIEW, T0), NOW);
      assertEquals(List.of("userId"), errors.stream().map(FieldError::field).toList(), id);
    }
    assertEquals(List.of(), V.validate(BehaviorEvent.of("e", "a.b..c", BehaviorType.VIEW, T0), NOW), "dots inside an id are fine");
  }

  /** An item, category or brand is left out or has a value: a blank one would be counted, and recommended, as a category. */
  @Test
  void blankItemCategoryAndBrandAreRejected() {
    BehaviorEvent e = new BehaviorEvent("e", "u1", BehaviorType.VIEW, T0, "", "   ", "", null, null, null, null, null, null);
    assertEquals(List.of("itemId", "categoryId", "brand"), fields(e));
  }

  @Test
  void negativeAmountsAreRejectedWithTheValue() {
    List<FieldError> errors = V.validate(Events.purchase("e", T0, -1, 0), NOW);
    assertEquals(List.of("price", "quantity"), errors.stream().map(FieldError::field).toList());
    assertTrue(errors.get(0).reason().contains("negative"), errors.get(0).reason());
  }

  @Test
  void nonFinitePriceIsRejected() {
    assertEquals(List.of("price"), fields(Events.purchase("e", T0, Double.NaN, 1)));
  }

  @Test
  void eventTimeMoreThanFiveMinutesAheadIsRejected() {
    assertEquals(List.of(), fields(Events.view("e", NOW.plus(Duration.ofMinutes(5)), "c")));
    assertEquals(List.of("timestamp"), fields(Events.view("e", NOW.plus(Duration.ofMinutes(5)).plusMillis(1), "c")));
  }

  @Test
  void secondsSentAsMillisecondsAreCaught() {
    assertEquals(List.of("timestamp"), fields(Events.view("e", Instant.ofEpochMilli(1_511_658_000L), "c")));
  }

  @Test
  void lengthsAndControlCharactersAreChecked() {
    BehaviorEvent e = BehaviorEvent.of("e".repeat(129), "u1", BehaviorType.SEARCH, T0)
        .withBrowsing("q\u0000", -1L, -2, new EventContext(null, null, null, "x".repeat(129), null, null));
    assertEquals(List.of("eventId", "query", "dwellMs", "pageDepth", "context.country"), fields(e));
  }
}
