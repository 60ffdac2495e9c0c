package dev.profileengine.profile;

import java.util.ArrayList;
import java.util.List;

/**
 * Sessions by event time: behaviors closer than the session gap belong to one session. Sessions
 * that a late event could still touch stay {@code open} (a late event may extend or merge them);
 * older ones are folded into the {@code closed} totals, so memory stays bounded.
 */
public record Sessions(Totals closed, List<Session> open) {

  /** One session: first and last event time, number of behaviors, summed dwell. */
  public record Session(long startMillis, long endMillis, long events, long dwellMillis) {
    Session merge(Session o) {
      return new Session(Math.min(startMillis, o.startMillis), Math.max(endMillis, o.endMillis),
          events + o.events, dwellMillis + o.dwellMillis);
    }

    long lengthMillis() {
      return endMillis - startMillis;
    }
  }

  /** Sums over finished sessions. */
  public record Totals(long count, long lengthMillis, long events, long dwellMillis) {
    static final Totals ZERO = new Totals(0, 0, 0, 0);

    Totals plus(Session s) {
      return new Totals(count + 1, lengthMillis + s.lengthMillis(), events + s.events, dwellMillis + s.dwellMillis);
    }
  }

  // Shared by every empty profile (each live entity also keeps its empty state): copy-on-write.
  private static final Sessions EMPTY = new Sessions(Totals.ZERO, List.of());

  public static Sessions empty() {
    return EMPTY;
  }

  /**
   * Adds one behavior. {@code latestMillis} is the profile's latest event time including this one;
   * sessions ending before {@code latest - lateness - gap} can no longer change and are closed.
   */
  public Sessions add(long timeMillis, long dwellMillis, long latestMillis, long gapMillis, long latenessMillis) {
    Session merged = new Session(timeMillis, timeMillis, 1, dwellMillis);
    List<Session> next = new ArrayList<>(open.size() + 1);
    for (Session s : open) {
      boolean touches = timeMillis >= s.startMillis - gapMillis && timeMillis <= s.endMillis + gapMillis;
      if (touches) merged = merged.merge(s);
      else next.add(s);
    }
    int at = 0;
    while (at < next.size() && next.get(at).startMillis < merged.startMillis) at++;
    next.add(at, merged);
    Totals totals = closed;
    long closeBefore = latestMillis - latenessMillis - gapMillis;
    while (!next.isEmpty() && next.get(0).endMillis < closeBefore) totals = totals.plus(next.remove(0));
    return new Sessions(totals, List.copyOf(next));
  }

  public long count() {
    return closed.count + open.size();
  }

  /** Summary for the profile view. */
  public SessionView view() {
    Totals all = closed;
    for (Session s : open) all = all.plus(s);
    Session last = open.isEmpty() ? null : open.get(open.size() - 1);
    double n = Math.max(1, all.count);
    return new SessionView(all.count,
        all.count == 0 ? 0 : all.lengthMillis / n / 1000.0,
        all.count == 0 ? 0 : all.events / n,
        all.count == 0 ? 0 : all.dwellMillis / n,
        all.dwellMillis,
        last == null ? null : java.time.Instant.ofEpochMilli(last.startMillis),
        last == null ? null : java.time.Instant.ofEpochMilli(last.endMillis),
        last == null ? 0 : last.events);
  }

  /**
   * @param meanLengthSeconds mean time from first to last behavior of a session
   * @param meanDepth mean number of behaviors per session (browse depth)
   * @param meanDwellMs mean summed dwell time per session
   */
  public record SessionView(
      long count,
      double meanLengthSeconds,
      double meanDepth,
      double meanDwellMs,
      long totalDwellMs,
      java.time.Instant lastSessionStart,
      java.time.Instant lastSessionEnd,
      long lastSessionEvents) {}
}
