package dev.profileengine.profile.identity;

import dev.profileengine.profile.ProfileSettings;
import dev.profileengine.profile.ProfileState;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Folds a profile from its entries in time order: the state it would have had if every entry had been sent under one id, in that order. */
public final class Ledger {
  private Ledger() {}

  /**
   * The profile {@code base} (its identity links, forget instant and segment membership kept, nothing else) holds after
   * {@code entries}, applied in {@link LedgerEntry#ORDER}.
   */
  public static ProfileState fold(ProfileState base, List<LedgerEntry> entries, ProfileSettings s) {
    List<LedgerEntry> sorted = new ArrayList<>(entries);
    sorted.sort(LedgerEntry.ORDER);
    ProfileState state = base.restarted(base.forgottenMillis(), base.links());
    for (LedgerEntry e : sorted) state = apply(state, e, s);
    return state;
  }

  private static ProfileState apply(ProfileState state, LedgerEntry e, ProfileSettings s) {
    ProfileState changed = state.changed();
    if (e.event() != null) return changed.apply(e.event(), s);
    if (e.acknowledged() != null) return changed.acknowledged(e.acknowledged(), e.at().toEpochMilli(), s);
    if (e.attributes() != null) return changed.withAttributes(e.attributes());
    return changed.withConsent(e.consent(), e.at(), s.consentDefaults());
  }

  /** The entries sent under one of {@code sources}, and the others. */
  public record Split(List<LedgerEntry> matching, List<LedgerEntry> rest) {}

  public static Split split(List<LedgerEntry> entries, Set<String> sources) {
    List<LedgerEntry> matching = new ArrayList<>();
    List<LedgerEntry> rest = new ArrayList<>();
    for (LedgerEntry e : entries) (sources.contains(e.source()) ? matching : rest).add(e);
    return new Split(List.copyOf(matching), List.copyOf(rest));
  }
}
