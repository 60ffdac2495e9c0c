package dev.profileengine.engine;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import dev.profileengine.profile.ProfileSettings;
import dev.profileengine.profile.ProfileState;
import dev.profileengine.profile.ProfileView;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last written state of every profile entity alive on this node, so a read needs no message to
 * the entity. Each entity publishes its state once the journal has confirmed a write (before it
 * replies to the writer, so a reader sees what a writer was told is stored), and withdraws it when
 * it stops, restarts or starts forgetting the user. A profile that is not here (not hosted on this
 * node, not recovered yet, unknown) is read from its entity.
 *
 * <p>Why: a read through the entity costs an ask, a sharding hop and a message into the entity's
 * mailbox; that last write leaves an old-to-young reference behind in every entity read since the
 * last collection, and scanning those cards dominated G1's young pauses and so the read tail.
 */
public final class HostedProfiles implements Extension {
  private static final ExtensionId<HostedProfiles> ID = new ExtensionId<>() {
    @Override
    public HostedProfiles createExtension(ActorSystem<?> system) {
      return new HostedProfiles();
    }
  };

  private final ConcurrentHashMap<String, ProfileState> states = new ConcurrentHashMap<>();

  public static HostedProfiles get(ActorSystem<?> system) {
    return system.registerExtension(ID);
  }

  /** The profile's last written state when its entity is alive on this node, else null (ask the entity). */
  public ProfileState get(String userId) {
    return states.get(userId);
  }

  /**
   * The profile's view as of {@code asOf} (null: its latest event) from the state hosted here, or
   * null when it is not hosted here (ask the entity).
   */
  public ProfileView view(String userId, Instant asOf, ProfileSettings settings) {
    ProfileState state = states.get(userId);
    return state == null ? null : state.view(asOf, settings);
  }

  /**
   * Called by the entity after a confirmed write or a recovery: a profile that does not exist yet is
   * not published, nor one in the middle of a merge or unmerge (its entity answers once the step
   * ends: the other side may have taken over already).
   */
  void publish(String userId, ProfileState state) {
    if (state.exists() && state.links().pending() == null) states.put(userId, state);
    else states.remove(userId);
  }

  /** Called by the entity when it stops, restarts or starts forgetting: reads go to the entity again. */
  void withdraw(String userId) {
    states.remove(userId);
  }
}
