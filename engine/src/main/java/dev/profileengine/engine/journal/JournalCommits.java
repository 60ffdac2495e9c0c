package dev.profileengine.engine.journal;

import akka.actor.AbstractExtensionId;
import akka.actor.ExtendedActorSystem;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.pubsub.Topic;
import dev.profileengine.engine.cbor.CborSerializable;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the node's readers that a journal writer committed rows: the live change read then reads
 * at once instead of waiting for its next poll, so a subscriber learns of a write within
 * milliseconds of its acknowledgement. In a cluster ({@link #shareAcrossCluster}) each node's
 * commits are also announced to the others over a topic, at most one message per
 * {@link #COALESCE} per node.
 */
public final class JournalCommits implements akka.actor.Extension {
  private static final Logger log = LoggerFactory.getLogger(JournalCommits.class);
  /** Commits within this long of one another are announced to the other nodes in one message. */
  static final Duration COALESCE = Duration.ofMillis(2);
  private static final String TOPIC = "journal-commits";

  /** A node committed journal rows (the message between nodes). */
  public record JournalCommitted() implements CborSerializable {}

  static final class Id extends AbstractExtensionId<JournalCommits> {
    static final Id INSTANCE = new Id();

    @Override
    public JournalCommits createExtension(ExtendedActorSystem system) {
      return new JournalCommits();
    }
  }

  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private final AtomicBoolean announcing = new AtomicBoolean();
  private volatile Runnable announce = () -> {}; // set once the cluster topic is started

  private JournalCommits() {}

  /** The node's commit signal. */
  public static JournalCommits get(ActorSystem<?> system) {
    return Id.INSTANCE.get(system.classicSystem());
  }

  static JournalCommits get(ExtendedActorSystem system) {
    return Id.INSTANCE.get(system);
  }

  /** Runs {@code listener} after every batch a journal writer commits; it must be quick and must not block. */
  public void onCommit(Runnable listener) {
    listeners.add(listener);
  }

  /**
   * Announces this node's commits to the other nodes and passes theirs to this node's listeners,
   * through a cluster topic: for a journal several nodes write (PostgreSQL).
   */
  public void shareAcrossCluster(ActorSystem<?> system) {
    ActorRef<Topic.Command<JournalCommitted>> topic =
        system.systemActorOf(Topic.create(JournalCommitted.class, TOPIC), "journal-commits-topic", Props.empty());
    ActorRef<JournalCommitted> heard = system.systemActorOf(Behaviors.receive(JournalCommitted.class)
        .onMessage(JournalCommitted.class, m -> {
          notifyListeners();
          return Behaviors.same();
        }).build(), "journal-commits-heard", Props.empty());
    topic.tell(Topic.subscribe(heard));
    announce = () -> {
      if (!announcing.compareAndSet(false, true)) return;
      system.scheduler().scheduleOnce(COALESCE, () -> {
        announcing.set(false);
        topic.tell(Topic.publish(new JournalCommitted()));
      }, system.executionContext());
    };
  }

  /** This node's journal writer committed a batch. */
  void committed() {
    notifyListeners();
    announce.run();
  }

  private void notifyListeners() {
    for (Runnable l : listeners) {
      try {
        l.run();
      } catch (RuntimeException e) {
        log.warn("A journal commit listener failed: {}", e.toString());
      }
    }
  }
}
