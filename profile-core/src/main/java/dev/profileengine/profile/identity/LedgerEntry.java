package dev.profileengine.profile.identity;

import dev.profileengine.profile.BehaviorEvent;
import dev.profileengine.profile.Consent;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;

/**
 * One fact a profile is folded from, with the identity it was sent under ({@code source}, a profile
 * key): an applied behavior, an event acknowledged without consent, attributes set, or consent
 * choices. A merge folds the union of two profiles' entries; an unmerge splits them by source.
 * Exactly one of {@code event}, {@code acknowledged}, {@code attributes}, {@code consent} is set.
 *
 * @param at the behavior's event time, or when attributes or consent were set
 */
public record LedgerEntry(String source, Instant at, BehaviorEvent event, String acknowledged, Map<String, Object> attributes,
                          Map<Consent.Purpose, Boolean> consent) {

  public static LedgerEntry event(BehaviorEvent e) {
    return new LedgerEntry(e.userId(), e.timestamp(), e, null, null, null);
  }

  public static LedgerEntry acknowledged(String source, String eventId, Instant timestamp) {
    return new LedgerEntry(source, timestamp, null, eventId, null, null);
  }

  public static LedgerEntry attributes(String source, Map<String, Object> attributes, Instant at) {
    return new LedgerEntry(source, at, null, null, attributes, null);
  }

  public static LedgerEntry consent(String source, Map<Consent.Purpose, Boolean> consent, Instant at) {
    return new LedgerEntry(source, at, null, null, null, consent);
  }

  /** Time order; at one instant behaviors by event id, then acknowledgements, attributes, consent (a total order: a fold never depends on arrival). */
  public static final Comparator<LedgerEntry> ORDER = Comparator.comparing(LedgerEntry::at)
      .thenComparingInt(LedgerEntry::kindRank)
      .thenComparing(LedgerEntry::tieKey);

  private int kindRank() {
    return event != null ? 0 : acknowledged != null ? 1 : attributes != null ? 2 : 3;
  }

  private String tieKey() {
    return event != null ? event.eventId() : acknowledged != null ? acknowledged : source;
  }
}
