package dev.profileengine.engine;

import akka.actor.typed.ActorSystem;
import akka.persistence.jdbc.query.javadsl.JdbcReadJournal;
import akka.persistence.query.PersistenceQuery;
import akka.stream.javadsl.Sink;
import dev.profileengine.profile.identity.LedgerEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The entries a profile is folded from (see {@link LedgerEntry}), read from its journal: what a
 * merge hands to the canonical profile and an unmerge splits by source. A merge, unmerge or
 * restore journals the whole resulting list, so the read only keeps what follows the last one.
 */
final class ProfileLedger implements akka.actor.typed.Extension {
  private static final akka.actor.typed.ExtensionId<ProfileLedger> ID = new akka.actor.typed.ExtensionId<>() {
    @Override
    public ProfileLedger createExtension(ActorSystem<?> system) {
      return new ProfileLedger(system);
    }
  };

  private final JdbcReadJournal journal;
  private final ActorSystem<?> system;

  private ProfileLedger(ActorSystem<?> system) {
    this.system = system;
    this.journal = PersistenceQuery.get(system).getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
  }

  /** One per node: every entity shares the read journal. */
  static ProfileLedger get(ActorSystem<?> system) {
    return system.registerExtension(ID);
  }

  /** The entries of the profile {@code key} as journaled up to now (call it from the entity, after its writes). */
  CompletionStage<List<LedgerEntry>> load(String key) {
    return journal.currentEventsByPersistenceId(UserProfile.persistenceIdOf(key).id(), 0L, Long.MAX_VALUE)
        .runWith(Sink.fold(new ArrayList<LedgerEntry>(), (entries, env) -> {
          apply(entries, key, (UserProfile.Event) env.event());
          return entries;
        }), system)
        .thenApply(List::copyOf);
  }

  /** Folds one journaled event of profile {@code key} into its entries (pure; a unit test checks each case). */
  static void apply(List<LedgerEntry> entries, String key, UserProfile.Event event) {
    if (event instanceof UserProfile.EventRecorded e) entries.add(LedgerEntry.event(e.event()));
    else if (event instanceof UserProfile.EventAcknowledged e) entries.add(LedgerEntry.acknowledged(key, e.eventId(), e.timestamp()));
    else if (event instanceof UserProfile.AttributesSet e) entries.add(LedgerEntry.attributes(key, e.attributes(), e.at()));
    else if (event instanceof UserProfile.ConsentSet e) entries.add(LedgerEntry.consent(key, e.changes(), e.at()));
    else if (event instanceof UserProfile.Absorbed e) replace(entries, e.entries());
    else if (event instanceof UserProfile.SplitOff e) replace(entries, e.kept());
    else if (event instanceof UserProfile.Restored e) replace(entries, e.entries());
    else if (event instanceof UserProfile.MergedInto || event instanceof UserProfile.Forgotten) entries.clear();
  }

  private static void replace(List<LedgerEntry> entries, List<LedgerEntry> all) {
    entries.clear();
    entries.addAll(all);
  }
}
