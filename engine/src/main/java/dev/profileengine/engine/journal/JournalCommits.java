package dev.profileengine.engine.journal;

import akka.actor.AbstractExtensionId;
import akka.actor.ExtendedActorSystem;
import akka.actor.typed.ActorSystem;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the node's readers that its journal writer committed rows: the live change read then reads
 * at once instead of waiting for its next poll, so a subscriber learns of a write within
 * milliseconds of its acknowledgement.
 */
public final class JournalCommits implements akka.actor.Extension {
  private static final Logger log = LoggerFactory.getLogger(JournalCommits.class);

  static final class Id extends AbstractExtensionId<JournalCommits> {
    static final Id INSTANCE = new Id();

    @Override
    public JournalCommits createExtension(ExtendedActorSystem system) {
      return new JournalCommits();
    }
  }

  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

  private JournalCommits() {}

  /** The node's commit signal. */
  public static JournalCommits get(ActorSystem<?> system) {
    return Id.INSTANCE.get(system.classicSystem());
  }

  static JournalCommits get(ExtendedActorSystem system) {
    return Id.INSTANCE.get(system);
  }

  /** Runs {@code listener} after every batch the journal commits; it must be quick and must not block. */
  public void onCommit(Runnable listener) {
    listeners.add(listener);
  }

  /** A batch of journal rows was committed. */
  void committed() {
    for (Runnable l : listeners) {
      try {
        l.run();
      } catch (RuntimeException e) {
        log.warn("A journal commit listener failed: {}", e.toString());
      }
    }
  }
}
