package dev.profileengine.profile.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BlockOriginsTest {
  private static final String C = "cust";
  private static final String L = "~anonymousId:laptop";
  private static final String M = "~anonymousId:mobile";
  private static final String T = "~device:tablet";
  private static final String X = "~device:kiosk";

  @Test
  void aSplitGivesBackWhatCameWithTheGroupAndKeepsWhatOthersHold() {
    BlockOrigins b = BlockOrigins.NONE.own(C, List.of(X))
        .absorbed(L, List.of(L), List.of(T, X))
        .absorbed(M, List.of(M), List.of(T));
    assertEquals(Map.of(T, List.of(L, M), X, List.of(C, L)), b.byKey());
    assertEquals(List.of(X, T), b.heldBy(L), "the laptop takes back both of its blocks (sorted)");
    assertEquals(List.of(), b.onlyHeldBy(L), "each is held for another profile too");
    BlockOrigins after = b.splitOff(L);
    assertEquals(Map.of(T, List.of(M), X, List.of(C)), after.byKey());
    assertEquals(List.of(T), after.onlyHeldBy(M));
    assertEquals(Map.of(X, List.of(C)), after.splitOff(M).byKey());
  }

  @Test
  void linkingABlockedIdentityLiftsItForEveryProfile() {
    BlockOrigins b = BlockOrigins.NONE.own(C, List.of(T)).absorbed(L, List.of(L), List.of(T, X));
    assertEquals(Map.of(X, List.of(L)), b.absorbed(M, List.of(M, T), List.of()).byKey());
  }

  @Test
  void aRestoredProfileOwnsWhatItTookBack() {
    assertEquals(Map.of(T, List.of(L), X, List.of(L)), BlockOrigins.restored(L, List.of(T, X)).byKey());
  }
}
