package dev.profileengine.profile;

import static dev.profileengine.profile.Events.T0;
import static dev.profileengine.profile.Events.cart;
import static dev.profileengine.profile.Events.fold;
import static dev.profileengine.profile.Events.purchase;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.profileengine.profile.segment.SegmentDefinitions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which segments a profile enters and leaves, computed without an entity. */
class SegmentChangeTest {
  private static final ProfileSettings S = ProfileSettings.defaults();
  private static final SegmentDefinitions DEFS = SegmentDefinitions.parse(definitions());

  private static Map<String, Object> definitions() {
    Map<String, Object> byId = new LinkedHashMap<>();
    byId.put("carted", Map.of("rule", "counts.30d.cart >= 1"));
    byId.put("no-purchase", Map.of("rule", "counts.30d.purchase == 0"));
    return byId;
  }

  @Test
  void equalMembershipIsNoChange() {
    assertNull(SegmentChange.between(List.of(), List.of()));
    assertNull(SegmentChange.between(List.of("a", "b"), List.of("a", "b")));
  }

  @Test
  void enteredAndLeftKeepTheMembershipOrder() {
    SegmentChange c = SegmentChange.between(List.of("a", "c", "d"), List.of("b", "c", "e"));
    assertEquals(new SegmentChange(List.of("b", "e"), List.of("a", "d"), List.of("b", "c", "e")), c);
  }

  @Test
  void aNewStateEntersItsSegmentsThenLeavesThemAsItChanges() {
    ProfileState carted = fold(S, cart("e1", T0));
    SegmentChange entered = SegmentChange.of(carted, DEFS, S, null);
    assertEquals(new SegmentChange(List.of("carted", "no-purchase"), List.of(), List.of("carted", "no-purchase")), entered);

    ProfileState recorded = carted.withSegments(entered.members());
    assertNull(SegmentChange.of(recorded, DEFS, S, null), "the recorded membership is unchanged");

    ProfileState bought = Events.offer(recorded, purchase("e2", T0.plusSeconds(60), 10.0, 1), S).state();
    assertEquals(new SegmentChange(List.of(), List.of("no-purchase"), List.of("carted")), SegmentChange.of(bought, DEFS, S, null));
  }

  @Test
  void noDefinitionsLeaveEveryRecordedSegment() {
    ProfileState s = fold(S, cart("e1", T0)).withSegments(List.of("old"));
    assertEquals(new SegmentChange(List.of(), List.of("old"), List.of()), SegmentChange.of(s, SegmentDefinitions.none(), S, null));
  }
}
