package dev.profileengine.engine.segments;

import akka.actor.typed.ActorSystem;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import dev.profileengine.engine.EventTimeWatermark;
import dev.profileengine.engine.SegmentRecheckSettings.Clock;
import dev.profileengine.engine.SegmentRecheckSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.StreamSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Time alone moves users in and out of segments: an abandoned cart expires after 24 hours, a silent
 * user becomes a high churn risk. Profiles only evaluate their segments when something happens to
 * them, so every {@code interval} the oldest node of the cluster re-evaluates every profile as of
 * the segment clock ({@link SegmentReevaluation} with that instant). A profile whose latest event is
 * later than the clock is evaluated at its own latest event time.
 */
public final class SegmentRecheck {
  private static final Logger log = LoggerFactory.getLogger(SegmentRecheck.class);

  private SegmentRecheck() {}

  /** Schedules the periodic re-check on this node (a no-op when the interval is off). */
  public static void schedule(ActorSystem<?> system, SegmentReevaluation job, SegmentRecheckSettings settings) {
    if (settings.interval().isEmpty()) {
      log.info("Segment re-check: off");
      return;
    }
    Duration every = settings.interval().get();
    log.info("Segment re-check: every {} on the oldest node, as of the {} clock", every, settings.clock().name().toLowerCase(Locale.ROOT));
    system.scheduler().scheduleWithFixedDelay(every, every, () -> tick(system, job, settings.clock()), system.executionContext());
  }

  private static void tick(ActorSystem<?> system, SegmentReevaluation job, SegmentRecheckSettings.Clock clock) {
    if (!isOldestUpMember(system)) return;
    Optional<Instant> now = switch (clock) {
      case WALL -> Optional.of(Instant.now());
      case EVENTS -> EventTimeWatermark.get(system).current();
    };
    if (now.isEmpty()) {
      log.debug("Segment re-check skipped: no event journaled on this node yet");
      return;
    }
    if (!job.start(now.get(), "recheck")) log.info("Segment re-check skipped: a re-evaluation is still running");
  }

  private static boolean isOldestUpMember(ActorSystem<?> system) {
    Cluster cluster = Cluster.get(system);
    akka.cluster.Member self = cluster.selfMember();
    if (self.status() != MemberStatus.up()) return false;
    return StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up())
        .noneMatch(m -> m.isOlderThan(self));
  }
}
