package dev.profileengine.profile;

import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/**
 * Admits the events of one ingest command in order, against the profile as it will be once the
 * earlier events of the same command are applied: an id repeated inside the batch is a duplicate,
 * and lateness is measured from the newest event time so far. Lives for one command only.
 */
public final class BatchAdmission {
  private final ProfileState state;
  private final ProfileSettings settings;
  private final Set<String> admittedIds = new HashSet<>();
  private long latestMillis;
  private boolean any;

  public BatchAdmission(ProfileState state, ProfileSettings settings) {
    this.state = state;
    this.settings = settings;
    this.latestMillis = state.lastEventMillis();
    this.any = state.eventCount() > 0;
  }

  public Admission admit(BehaviorEvent e) {
    if (e.timeMillis() < state.forgottenMillis()) {
      return new Admission.Forgotten("event time " + e.timestamp() + " is before the user was forgotten ("
          + Instant.ofEpochMilli(state.forgottenMillis()) + ")");
    }
    if (admittedIds.contains(e.eventId()) || state.seen().contains(e.eventId())) return Admission.DUPLICATE;
    long t = e.timeMillis();
    if (any && t < latestMillis - settings.allowedLateness().toMillis()) {
      return new Admission.Reject(Admission.TOO_LATE, "timestamp", "event time " + e.timestamp() + " is more than "
          + settings.allowedLateness() + " before the profile's latest event time " + Instant.ofEpochMilli(latestMillis));
    }
    if (t <= state.seen().floorMillis()) {
      return new Admission.Reject(Admission.TOO_LATE, "timestamp", "event time " + e.timestamp()
          + " is not after the oldest forgotten event id (" + Instant.ofEpochMilli(state.seen().floorMillis())
          + "): too many events inside the lateness horizon to deduplicate it");
    }
    admittedIds.add(e.eventId());
    latestMillis = any ? Math.max(latestMillis, t) : t;
    any = true;
    return Admission.ACCEPT;
  }
}
