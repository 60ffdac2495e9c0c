package dev.profileengine.bench;

import dev.profileengine.data.BehaviorRow;
import dev.profileengine.data.TaobaoCsv;
import dev.profileengine.profile.Admission;
import dev.profileengine.profile.BehaviorEvent;
import dev.profileengine.profile.ProfileSettings;
import dev.profileengine.profile.ProfileState;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Real profiles for the benchmarks, folded from {@code taobao-userbehavior-users.csv} (complete
 * histories of 686 users, 4 to 539 events each) exactly as the entity folds them: every event goes
 * through {@link ProfileState#admit} and only accepted ones are applied.
 *
 * <ul>
 *   <li>{@code empty}: a new user, no event yet;</li>
 *   <li>{@code median}: the user whose history length is the median (about 79 events);</li>
 *   <li>{@code warm}: about 1,000 events. No single user has that many, so the histories of the
 *       heaviest users are merged, relabelled as one user and replayed in event-time order.</li>
 * </ul>
 * Each profile comes with its "next" event: the real event that follows its history (for the
 * merged profile, one more event of the heaviest user, shifted to just after the last one).
 */
public final class BenchData {
  public static final int WARM_EVENTS = 1_000;

  /** A profile and the event to apply next. */
  public record Profile(String kind, ProfileState state, BehaviorEvent next, BehaviorEvent alreadySeen, int applied) {}

  private final Map<String, List<BehaviorRow>> byUser;

  private BenchData(Map<String, List<BehaviorRow>> byUser) {
    this.byUser = byUser;
  }

  public static BenchData load() {
    Path file = SampleData.locate(System.getProperty("users"), SampleData.USERS);
    List<BehaviorRow> rows = TaobaoCsv.read(file, bad -> {});
    Map<String, List<BehaviorRow>> byUser = new LinkedHashMap<>();
    for (BehaviorRow r : rows) byUser.computeIfAbsent(r.userId(), u -> new ArrayList<>()).add(r);
    byUser.values().forEach(l -> l.sort(Comparator.comparingLong(BehaviorRow::epochSecond)));
    return new BenchData(byUser);
  }

  public static BehaviorEvent event(BehaviorRow r, String userId) {
    return BehaviorEvent.of(r.eventId(), userId, r.type(), Instant.ofEpochSecond(r.epochSecond()))
        .withCategory(r.itemId(), r.categoryId());
  }

  public Profile profile(String kind, ProfileSettings settings) {
    return switch (kind) {
      case "empty" -> {
        List<BehaviorRow> h = median();
        yield new Profile(kind, ProfileState.empty(h.get(0).userId()), event(h.get(0), h.get(0).userId()), null, 0);
      }
      case "median" -> {
        List<BehaviorRow> h = median();
        String user = h.get(0).userId();
        List<BehaviorEvent> events = h.stream().map(r -> event(r, user)).toList();
        yield fold(kind, user, events.subList(0, events.size() - 1), events.get(events.size() - 1), settings);
      }
      case "warm" -> {
        String user = "bench-warm";
        List<List<BehaviorRow>> heaviest = byUser.values().stream()
            .sorted(Comparator.comparingInt((List<BehaviorRow> l) -> l.size()).reversed())
            .toList();
        List<BehaviorRow> merged = new ArrayList<>();
        for (List<BehaviorRow> h : heaviest) {
          if (merged.size() >= WARM_EVENTS + 1) break;
          merged.addAll(h);
        }
        merged.sort(Comparator.comparingLong(BehaviorRow::epochSecond));
        List<BehaviorEvent> events = new ArrayList<>(merged.subList(0, WARM_EVENTS).stream().map(r -> event(r, user)).toList());
        BehaviorRow last = merged.get(WARM_EVENTS - 1);
        BehaviorRow n = merged.get(WARM_EVENTS);
        BehaviorEvent next = BehaviorEvent.of(n.eventId() + "-next", user, n.type(),
                Instant.ofEpochSecond(Math.max(n.epochSecond(), last.epochSecond()) + 1))
            .withCategory(n.itemId(), n.categoryId());
        yield fold(kind, user, events, next, settings);
      }
      default -> throw new IllegalArgumentException("unknown profile kind " + kind + ": empty, median or warm");
    };
  }

  private List<BehaviorRow> median() {
    List<List<BehaviorRow>> sorted = byUser.values().stream().sorted(Comparator.comparingInt(List::size)).toList();
    return sorted.get(sorted.size() / 2);
  }

  private static Profile fold(String kind, String user, List<BehaviorEvent> history, BehaviorEvent next, ProfileSettings s) {
    ProfileState state = ProfileState.empty(user);
    int applied = 0;
    BehaviorEvent lastApplied = null;
    for (BehaviorEvent e : history) {
      if (state.admit(e, s) instanceof Admission.Accept) {
        state = state.apply(e, s);
        applied++;
        lastApplied = e;
      }
    }
    return new Profile(kind, state, next, lastApplied, applied);
  }
}
