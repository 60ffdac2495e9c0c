package dev.profileengine.engine.changes;

import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import akka.persistence.jdbc.query.javadsl.JdbcReadJournal;
import akka.persistence.query.EventEnvelope;
import akka.persistence.query.Offset;
import akka.persistence.query.PersistenceQuery;
import akka.persistence.query.Sequence;
import akka.stream.RestartSettings;
import akka.stream.javadsl.RestartSource;
import akka.stream.javadsl.Source;
import dev.profileengine.engine.EngineSettings;
import dev.profileengine.engine.ErasureLog;
import dev.profileengine.engine.UserProfile;
import dev.profileengine.engine.journal.JournalDatabase;
import dev.profileengine.profile.BehaviorEvent;
import dev.profileengine.profile.Consent;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Profile change notifications, read back from the journal: every journaled profile event is in
 * the query tag {@link #TAG} (derived from the journal rows, see {@link DerivedTagReadJournalDao}),
 * and its global journal ordering is the notification's offset. A subscriber
 * that resumes from the last offset it saw gets every later change once, in order, across node
 * restarts: the journal is the buffer, so a slow subscriber only delays itself.
 *
 * <p>One live read of the tag per node serves every subscriber ({@link LiveChangeRead}): it polls
 * the journal and deserializes each change once, and offers it to every subscriber's queue
 * (a poll per subscriber would multiply the journal queries with the subscribers). A subscriber first
 * attaches to the live read, then catches up from the journal (from its offset to the journal's
 * head), then goes on with the live changes it has not seen. One that falls more than {@code profile.changes.live-read-ahead} changes behind the live
 * read is detached and catches up from the journal again, at its own pace: it never holds up the
 * live read or the other subscribers.
 */
public final class ChangeFeed implements Extension {
  /** The query tag of every profile and erasure event (read from the rows, not written with them). */
  public static final String TAG = "profile-change";
  /** The query tag of segment entries/exits and erasures, read by the segment projection. */
  public static final String SEGMENT_TAG = "segment-change";
  /**
   * The change streams' dispatcher ({@code profile.changes.stream-dispatcher}): the catch-up's
   * deserialization of {@link #TAG} pages and each subscriber's stream up to its rendering run on
   * its few threads, so that subscribers catching up from far back (or never reading) delay one
   * another, never the requests served on the default dispatcher.
   */
  public static final String DISPATCHER = "profile.changes.stream-dispatcher";

  private static final ExtensionId<ChangeFeed> ID = new ExtensionId<>() {
    @Override
    public ChangeFeed createExtension(ActorSystem<?> system) {
      return new ChangeFeed(system);
    }
  };

  /** The node's change feed. */
  public static ChangeFeed get(ActorSystem<?> system) {
    return system.registerExtension(ID);
  }

  private final ActorSystem<?> system;
  private final JdbcReadJournal journal;
  private final int liveReadAhead;
  private final Duration livePoll;
  // Started with the first subscriber and kept running, so a later subscriber joins a read that is
  // at the journal's head.
  private LiveChangeRead live;

  private ChangeFeed(ActorSystem<?> system) {
    this.system = system;
    this.journal = PersistenceQuery.get(system).getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    this.liveReadAhead = EngineSettings.of(system).changes().liveReadAhead();
    this.livePoll = EngineSettings.of(system).changes().livePoll();
  }

  /**
   * A profile changed.
   *
   * @param offset resumable position: pass it back as {@code from} to continue after this change
   * @param change what changed, typed; its {@link ProfileChange#cause() cause} names it on the wire
   */
  public record ProfileChanged(long offset, String userId, Instant at, ProfileChange change) {
    /** {@code event}, {@code acknowledged}, {@code attributes}, {@code prediction}, {@code consent}, {@code segments} or {@code forgotten}. */
    public String cause() {
      return change.cause();
    }

    /** The events that caused the change. */
    public List<String> eventIds() {
      return change.eventIds();
    }
  }

  /**
   * The journal's highest offset now: a subscriber from it gets the changes journaled from here on
   * (a PostgreSQL write still open below it is not among them).
   */
  public java.util.concurrent.CompletionStage<Long> head() {
    return JournalDatabase.reads(system).run("the change stream's head", LiveChangeRead::head);
  }

  /** Live changes after {@code offset} (0 = from the beginning), optionally only of {@code userIds}. */
  public Source<ProfileChanged, NotUsed> after(long offset, Set<String> userIds) {
    // A failed journal query (database hiccup, overload) or a subscriber detached from the live
    // read for falling behind starts again from the last offset delivered, so the subscriber sees
    // neither a gap nor a repeat.
    AtomicLong delivered = new AtomicLong(offset);
    // A few users: the catch-up reads their rows only, not every change since the offset.
    String catchUpTag = userIds.isEmpty() || userIds.size() > UsersTag.MAX_USERS ? TAG : new UsersTag(userIds).tag();
    return RestartSource.onFailuresWithBackoff(SUBSCRIBER_RESTART, () -> catchUpThenLive(catchUpTag, delivered))
        .filter(c -> !(c.change() instanceof ProfileChange.Internal) && (userIds.isEmpty() || userIds.contains(c.userId())));
  }

  /**
   * The journal from {@code delivered} to its head (the change tag, or a {@link UsersTag} for a few
   * users), then the live read. The subscriber is
   * registered with the live read before the catch-up asks for the journal's head, so every change
   * the live read passes after the catch-up's end reaches it; those the catch-up delivered already
   * are dropped by offset.
   */
  private Source<ProfileChanged, NotUsed> catchUpThenLive(String catchUpTag, AtomicLong delivered) {
    ChangeMetrics.changeCatchUps.inc();
    Source<ProfileChanged, NotUsed> liveTail = live().subscribe(liveReadAhead);
    // The plugin's bounded tag read: it ends at the same settled head for the per-user tag as for TAG.
    Source<ProfileChanged, NotUsed> catchUp = journal.currentEventsByTag(catchUpTag, Offset.sequence(delivered.get())).map(ChangeFeed::toChange);
    return catchUp.concat(liveTail)
        .filter(c -> c.offset() > delivered.get())
        .map(c -> {
          delivered.set(c.offset());
          return c;
        });
  }

  /** Subscribers attached to the node's live read now (each open stream that has caught up, or is catching up). */
  public synchronized int liveSubscribers() {
    return live == null ? 0 : live.subscribers();
  }

  /** The node's one live read of the change tag, started at the journal's head when first asked for. */
  private synchronized LiveChangeRead live() {
    if (live == null) live = new LiveChangeRead(system, tail(), JournalDatabase.reads(system), livePoll);
    return live;
  }

  /** The live read's query: the change tag up to the settled head, waiting for open writers as the read journal does. */
  private JournalTail tail() {
    var config = system.settings().config();
    Duration gapWait = config.getDuration("jdbc-read-journal.journal-sequence-retrieval.query-delay")
        .multipliedBy(config.getInt("jdbc-read-journal.journal-sequence-retrieval.max-tries"));
    var serialization = akka.serialization.SerializationExtension.get(system.classicSystem());
    var tag = DerivedTagReadJournalDao.engineTags(DerivedTagReadJournalDao.segmentsChangedManifests(serialization)).get(TAG);
    boolean h2 = dev.profileengine.engine.journal.JournalSettings.from(config).h2();
    return new JournalTail(serialization, tag, h2 ? null : new CommitHorizon(gapWait), gapWait);
  }

  private static final RestartSettings SUBSCRIBER_RESTART =
      RestartSettings.create(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2).withMaxRestarts(1000, Duration.ofMinutes(10));

  /** Profile keys as the identities they name ({@code type:value}). */
  private static List<String> named(List<String> keys) {
    return keys.stream().map(k -> dev.profileengine.profile.Identity.ofKey(k).toString()).toList();
  }

  /** The change a journaled event makes, decided here once for every edge. */
  public static ProfileChanged toChange(EventEnvelope env) {
    long offset = ((Sequence) env.offset()).value();
    String userId = env.persistenceId().substring(env.persistenceId().indexOf('|') + 1);
    Instant at = Instant.ofEpochMilli(env.timestamp());
    Object event = env.event();
    if (event instanceof UserProfile.EventRecorded r) {
      BehaviorEvent e = r.event();
      return new ProfileChanged(offset, userId, at, new ProfileChange.BehaviorApplied(e.eventId(), e.type(), e.timestamp(),
          e.itemId(), e.categoryId(), e.brand(), e.price() == null ? null : e.amount()));
    }
    if (event instanceof UserProfile.AttributesSet a) {
      return new ProfileChanged(offset, userId, a.at(), new ProfileChange.AttributesChanged(Collections.unmodifiableMap(new TreeMap<>(a.attributes()))));
    }
    if (event instanceof UserProfile.PredictionUpdated u) {
      var p = u.prediction();
      return new ProfileChanged(offset, userId, at, new ProfileChange.PredictionChanged(p.modelVersion(), p.asOfEventCount(), p.asOfEventId(),
          p.nextBehavior(), p.predictedBehavior(), p.nextCategories().stream().limit(3).toList()));
    }
    if (event instanceof UserProfile.ConsentSet c) {
      Map<Consent.Purpose, Boolean> purposes = new EnumMap<>(Consent.Purpose.class);
      purposes.putAll(c.changes());
      return new ProfileChanged(offset, userId, c.at(), new ProfileChange.ConsentChanged(Collections.unmodifiableMap(purposes)));
    }
    if (event instanceof UserProfile.SegmentsChanged c) {
      return new ProfileChanged(offset, userId, c.at(), new ProfileChange.SegmentsChanged(c.entered(), c.left(), c.members()));
    }
    if (event instanceof UserProfile.EventAcknowledged a) {
      // Accepted without analytics consent: subscribers learn the id, nothing of the behavior.
      return new ProfileChanged(offset, userId, at, new ProfileChange.Acknowledged(a.eventId()));
    }
    if (event instanceof UserProfile.Forgotten f) {
      // The profile's tombstone, right after the erasure the erasure log announced.
      return new ProfileChanged(offset, userId, f.at(), new ProfileChange.Forgotten());
    }
    if (event instanceof UserProfile.Absorbed a) return new ProfileChanged(offset, userId, a.at(), new ProfileChange.Merged(userId, a.from(), named(a.keys())));
    if (event instanceof UserProfile.MergedInto m) return new ProfileChanged(offset, userId, m.at(), new ProfileChange.Merged(m.into(), userId, named(List.of(userId))));
    if (event instanceof UserProfile.SplitOff o) return new ProfileChanged(offset, userId, o.at(), new ProfileChange.Unmerged(userId, o.group(), named(o.keys())));
    if (event instanceof UserProfile.Restored r) return new ProfileChanged(offset, userId, r.at(), new ProfileChange.Unmerged(r.from(), userId, named(r.keys())));
    if (event instanceof UserProfile.MergeStarted || event instanceof UserProfile.SplitStarted || event instanceof UserProfile.LinkCancelled
        || event instanceof UserProfile.LinkBlocked || event instanceof UserProfile.IdentitySeen) {
      return new ProfileChanged(offset, userId, at, new ProfileChange.Internal());
    }
    if (event instanceof ErasureLog.UserForgotten f) {
      // Journaled by the erasure log, not the profile: the user is named in the event.
      return new ProfileChanged(offset, f.userId(), f.at(), new ProfileChange.Forgotten());
    }
    return new ProfileChanged(offset, userId, at, new ProfileChange.Other());
  }
}
