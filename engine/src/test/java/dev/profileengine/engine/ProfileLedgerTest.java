package dev.profileengine.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.profileengine.profile.BehaviorEvent;
import dev.profileengine.profile.BehaviorType;
import dev.profileengine.profile.identity.LedgerEntry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a merge's journaled {@code Absorbed} changes the entries a profile's journal reads as. */
class ProfileLedgerTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void anAbsorbThatKeptTheEntriesLeavesThemAndOneThatCarriesThemReplacesThem() {
    List<LedgerEntry> entries = new ArrayList<>();
    ProfileLedger.apply(entries, "c", new UserProfile.EventRecorded(event("c-1", "c", 0)));
    ProfileLedger.apply(entries, "c", new UserProfile.Absorbed("~anonymousId:a", List.of("~anonymousId:a"), List.of(), List.of(), T0, true));
    assertEquals(List.of(LedgerEntry.event(event("c-1", "c", 0))), entries, "nothing came with the merged profile: its own stay");

    List<LedgerEntry> both = List.of(LedgerEntry.event(event("a-1", "~anonymousId:a", 1)), LedgerEntry.event(event("c-1", "c", 0)));
    ProfileLedger.apply(entries, "c", new UserProfile.Absorbed("~anonymousId:a", List.of("~anonymousId:a"), both, List.of(), T0, null));
    assertEquals(both, entries, "a merge carrying entries journals the whole list");
  }

  @Test
  void onlyRowsThatRewriteTheListDropTheReferencesBeforeThem() {
    UserProfile.Absorbed took = new UserProfile.Absorbed("~anonymousId:a", List.of("~anonymousId:a"), List.of(), List.of(), T0, null, 7L,
        new UserProfile.FoldedState(dev.profileengine.profile.ProfileState.empty("~anonymousId:a")));
    assertTrue(took.tookState());
    assertTrue(ProfileLedger.replaces(took), "a profile that took a state starts from that reference alone");
    assertTrue(ProfileLedger.replaces(new UserProfile.SplitOff("~anonymousId:a", List.of("~anonymousId:a"), List.of(), List.of(), T0)));
    assertTrue(ProfileLedger.replaces(new UserProfile.Forgotten(T0)));
    assertFalse(ProfileLedger.replaces(new UserProfile.Absorbed("~anonymousId:b", List.of("~anonymousId:b"), List.of(), List.of(), T0, true)),
        "a merged profile that brought nothing leaves the list, references and all");
    assertFalse(ProfileLedger.replaces(new UserProfile.EventRecorded(event("c-1", "c", 0))));
  }

  private static BehaviorEvent event(String id, String key, int i) {
    return BehaviorEvent.of(id, key, BehaviorType.values()[i % 5], T0.plusSeconds(i));
  }
}
