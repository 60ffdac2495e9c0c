package dev.profileengine.engine.privacy;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.persistence.jdbc.query.javadsl.JdbcReadJournal;
import akka.persistence.query.EventEnvelope;
import akka.persistence.query.PersistenceQuery;
import akka.persistence.typed.PersistenceId;
import akka.stream.javadsl.Sink;
import dev.profileengine.engine.UserProfile;
import dev.profileengine.profile.ProfileView;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * Everything stored about one user: the profile as of its latest event and every journaled event
 * of it, oldest first (behaviors as stored, after the PII policy; attribute, consent and
 * prediction changes).
 */
public final class ProfileExport {
  /** One journaled event; {@code event} is the entity's event record. */
  public record StoredEvent(long sequenceNr, Instant storedAt, UserProfile.Event event) {}

  public record Export(String userId, Instant exportedAt, ProfileView profile, List<StoredEvent> events) {}

  private final ClusterSharding sharding;
  private final JdbcReadJournal journal;
  private final ActorSystem<?> system;
  private final Duration timeout;

  public ProfileExport(ActorSystem<?> system, Duration timeout) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.journal = PersistenceQuery.get(system).getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    this.timeout = timeout;
  }

  /** Empty when nothing is stored for the user. */
  public CompletionStage<Optional<Export>> export(String userId) {
    String pid = PersistenceId.of(UserProfile.ENTITY_KEY.name(), userId).id();
    // Through the entity first: it has applied everything acknowledged, so the journal read that
    // follows contains at least what the profile shows.
    return sharding.entityRefFor(UserProfile.ENTITY_KEY, userId)
        .<UserProfile.ProfileReply>ask(r -> new UserProfile.GetProfile(null, r), timeout)
        .thenCompose(reply -> journal.currentEventsByPersistenceId(pid, 0L, Long.MAX_VALUE)
            // The tombstone of a forget holds nothing of the user: an export of it alone is empty.
            .filter(env -> !(env.event() instanceof UserProfile.Forgotten))
            .map(ProfileExport::stored)
            .runWith(Sink.seq(), system)
            .thenApply(events -> reply.profile().isEmpty() && events.isEmpty()
                ? Optional.<Export>empty()
                : Optional.of(new Export(userId, Instant.now(), reply.profile().orElse(null), List.copyOf(events)))));
  }

  private static StoredEvent stored(EventEnvelope env) {
    return new StoredEvent(env.sequenceNr(), Instant.ofEpochMilli(env.timestamp()), (UserProfile.Event) env.event());
  }
}
