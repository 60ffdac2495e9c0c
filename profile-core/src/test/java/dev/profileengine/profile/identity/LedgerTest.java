package dev.profileengine.profile.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.profileengine.profile.BehaviorEvent;
import dev.profileengine.profile.BehaviorType;
import dev.profileengine.profile.Consent;
import dev.profileengine.profile.ProfileSettings;
import dev.profileengine.profile.ProfileState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LedgerTest {
  private static final Instant T0 = Instant.parse("2017-11-26T10:00:00Z");
  private static final ProfileSettings S = ProfileSettings.defaults();

  private static BehaviorEvent event(String id, String source, int second, BehaviorType type) {
    return BehaviorEvent.of(id, source, type, T0.plusSeconds(second)).withCategory("i" + id, "c" + (second % 5));
  }

  private static List<LedgerEntry> entries() {
    List<LedgerEntry> all = new ArrayList<>();
    for (int i = 0; i < 60; i++) all.add(LedgerEntry.event(event("e" + i, i % 2 == 0 ? "u" : "~anonymousId:a", i * 97 % 3600, BehaviorType.values()[i % 5])));
    all.add(LedgerEntry.attributes("u", Map.of("tier", "gold"), T0.plusSeconds(100)));
    all.add(LedgerEntry.attributes("~anonymousId:a", Map.of("tier", "silver"), T0.plusSeconds(50)));
    all.add(LedgerEntry.consent("u", Map.of(Consent.Purpose.ADS, false), T0.plusSeconds(10)));
    all.add(LedgerEntry.acknowledged("u", "ack-1", T0.plusSeconds(200)));
    return all;
  }

  @Test
  void theFoldDependsOnTheEntriesNotTheirArrival() {
    List<LedgerEntry> all = entries();
    ProfileState base = ProfileState.empty("u");
    ProfileState once = Ledger.fold(base, all, S);
    List<LedgerEntry> shuffled = new ArrayList<>(all);
    Collections.shuffle(shuffled, new Random(7));
    assertEquals(once.view(null, S), Ledger.fold(base, shuffled, S).view(null, S));
    assertEquals(60, once.eventCount());
    assertEquals("gold", once.attributes().get("tier"), "the later attribute write wins");
  }

  @Test
  void theFoldEqualsTheEventsAppliedOneByOneInTimeOrder() {
    List<LedgerEntry> events = entries().stream().filter(e -> e.event() != null).toList();
    List<LedgerEntry> sorted = new ArrayList<>(events);
    sorted.sort(LedgerEntry.ORDER);
    ProfileState applied = ProfileState.empty("u");
    for (LedgerEntry e : sorted) applied = applied.apply(e.event(), S);
    assertEquals(applied.view(null, S), Ledger.fold(ProfileState.empty("u"), events, S).view(null, S));
  }

  @Test
  void aSplitSeparatesEntriesBySource() {
    var split = Ledger.split(entries(), Set.of("~anonymousId:a"));
    assertEquals(31, split.matching().size());
    assertEquals(33, split.rest().size());
    assertEquals(Set.of("~anonymousId:a"), Set.copyOf(split.matching().stream().map(LedgerEntry::source).toList()));
  }
}
