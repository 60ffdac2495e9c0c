package dev.profileengine.engine;

import akka.actor.typed.ActorSystem;
import akka.persistence.jdbc.AkkaSerialization;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import dev.profileengine.engine.journal.JournalDatabase;
import dev.profileengine.engine.journal.JournalRows;
import dev.profileengine.profile.identity.BlockOrigins;
import dev.profileengine.profile.identity.LedgerEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The entries a profile is folded from (see {@link LedgerEntry}), read from its journal: what a
 * merge hands to the canonical profile and an unmerge splits by source. The side that receives a
 * merge or unmerge reads the other side's entries here too (the journal is shared), so the
 * messages between them carry no history. A merge, unmerge or
 * restore journals the whole resulting list, so the read only keeps what follows the last one (a
 * merge of a profile that brought no entries journals none and keeps the list; a profile that took
 * another's folded state journals a reference, read in the other journal). An
 * unmerge also needs which blocks came with the profile it splits off ({@link BlockOrigins}).
 */
final class ProfileLedger implements akka.actor.typed.Extension {
  private static final akka.actor.typed.ExtensionId<ProfileLedger> ID = new akka.actor.typed.ExtensionId<>() {
    @Override
    public ProfileLedger createExtension(ActorSystem<?> system) {
      return new ProfileLedger(system);
    }
  };

  private final JournalDatabase reads;
  private final Serialization serialization;

  private ProfileLedger(ActorSystem<?> system) {
    this.reads = JournalDatabase.reads(system);
    this.serialization = SerializationExtension.get(system);
  }

  /** One per node: every entity shares the read pool. */
  static ProfileLedger get(ActorSystem<?> system) {
    return system.registerExtension(ID);
  }

  /** What a link step reads of a profile: its entries and where its unmerge blocks came from. */
  record Read(List<LedgerEntry> entries, BlockOrigins blocks) {}

  /** The entries of the profile {@code key} as journaled up to now (call it from the entity, after its writes). */
  CompletionStage<Read> load(String key) {
    return load(key, Long.MAX_VALUE);
  }

  /**
   * The entries of the profile {@code key} as they stood at its sequence number {@code upTo}: what
   * the other side of a merge or unmerge reads (that profile is frozen at {@code upTo} meanwhile).
   * Fails when the journal ends before it, rather than hand over part of a history.
   */
  CompletionStage<Read> load(String key, long upTo) {
    // One indexed query on the read pool: the read journal's stream per read cost a merge more than the rest of it.
    return reads.run("reading the entries of " + key, c -> read(c, key, upTo));
  }

  /**
   * {@link #load}, on connection {@code c}. A profile that took another's folded state
   * ({@link UserProfile.Absorbed#tookState}) has that one's entries in the other journal, up to the
   * position it was handed over at: read there (an earlier point of another journal, so no cycle).
   */
  private Read read(java.sql.Connection c, String key, long upTo) throws java.sql.SQLException {
    List<LedgerEntry> entries = new ArrayList<>();
    // References still in force: one a later row replaces (a split, say) is never read, so the
    // other journal may be gone by then (a split-off profile forgotten on its own).
    List<UserProfile.Absorbed> references = new ArrayList<>();
    BlockOrigins blocks = BlockOrigins.NONE;
    long last = 0;
    for (var row : JournalRows.of(c, UserProfile.persistenceIdOf(key).id(), upTo)) {
      UserProfile.Event event = (UserProfile.Event) AkkaSerialization.fromRow(serialization, row).get()._1().payload();
      if (replaces(event)) references.clear();
      if (event instanceof UserProfile.Absorbed a && a.tookState()) references.add(a);
      apply(entries, key, event);
      blocks = blocks(blocks, key, event);
      last = row.sequenceNumber();
    }
    if (upTo != Long.MAX_VALUE && last < upTo) throw new IllegalStateException("the journal of " + key + " ends at " + last + ", before " + upTo);
    // In no particular order, as every entry list: a fold sorts them, a split partitions them.
    for (UserProfile.Absorbed a : references) entries.addAll(read(c, a.from(), a.upTo()).entries());
    return new Read(List.copyOf(entries), blocks);
  }

  /** Whether {@code event} replaces the entry list as it stood, with its own (or with none). */
  static boolean replaces(UserProfile.Event event) {
    return event instanceof UserProfile.Absorbed a && !a.keepsEntries() || event instanceof UserProfile.SplitOff
        || event instanceof UserProfile.Restored || event instanceof UserProfile.MergedInto || event instanceof UserProfile.Forgotten;
  }

  /** Folds one journaled event of profile {@code key} into where its blocks came from (pure). */
  static BlockOrigins blocks(BlockOrigins blocks, String key, UserProfile.Event event) {
    if (event instanceof UserProfile.LinkBlocked e) return blocks.own(key, e.keys());
    if (event instanceof UserProfile.Absorbed e) return blocks.absorbed(e.from(), e.keys(), e.blocked());
    if (event instanceof UserProfile.SplitOff e) return blocks.splitOff(e.group());
    if (event instanceof UserProfile.Restored e) return BlockOrigins.restored(key, e.blocked());
    if (event instanceof UserProfile.MergedInto || event instanceof UserProfile.Forgotten) return BlockOrigins.NONE;
    return blocks;
  }

  /** Folds one journaled event of profile {@code key} into its entries (pure; a unit test checks each case). */
  static void apply(List<LedgerEntry> entries, String key, UserProfile.Event event) {
    if (replaces(event)) entries.clear();
    if (event instanceof UserProfile.EventRecorded e) entries.add(LedgerEntry.event(e.event()));
    else if (event instanceof UserProfile.EventAcknowledged e) entries.add(LedgerEntry.acknowledged(key, e.eventId(), e.timestamp()));
    else if (event instanceof UserProfile.AttributesSet e) entries.add(LedgerEntry.attributes(key, e.attributes(), e.at()));
    else if (event instanceof UserProfile.ConsentSet e) entries.add(LedgerEntry.consent(key, e.changes(), e.at()));
    // A profile that took another's state journals no entries: they are that reference (see read).
    else if (event instanceof UserProfile.Absorbed e) entries.addAll(e.entries());
    else if (event instanceof UserProfile.SplitOff e) entries.addAll(e.kept());
    else if (event instanceof UserProfile.Restored e) entries.addAll(e.entries());
  }
}
