package dev.profileengine.engine;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import dev.profileengine.profile.ProfileSettings;
import dev.profileengine.profile.ProfileState;
import dev.profileengine.profile.ProfileView;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

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
 *
 * <p>The JSON of a state's latest view is kept beside the state once read ({@link #latestJson}), so
 * reads between two writes render it once; a write publishes a new state and so drops it. The
 * node keeps at most the budget its reader passes ({@link EngineSettings#readCacheBudget}) in such JSON.
 */
public final class HostedProfiles implements Extension {
  private static final ExtensionId<HostedProfiles> ID = new ExtensionId<>() {
    @Override
    public HostedProfiles createExtension(ActorSystem<?> system) {
      return new HostedProfiles();
    }
  };

  /** The JSON of the latest view of {@code state}, valid while {@code state} is the one hosted. */
  private record Rendered(ProfileState state, byte[] json) {}

  // The states themselves, without a wrapper: every live profile has one here, few are read.
  private final ConcurrentHashMap<String, ProfileState> states = new ConcurrentHashMap<>();
  // The JSON kept, by user: an entry's state is the hosted one, except for a moment while a write races a read.
  private final ConcurrentHashMap<String, Rendered> rendered = new ConcurrentHashMap<>();
  private final AtomicLong jsonBytes = new AtomicLong();

  HostedProfiles() {}

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
    ProfileState state = get(userId);
    return state == null ? null : state.view(asOf, settings);
  }

  /**
   * The JSON of the hosted profile's view as of its latest event, {@code render} of that view: kept
   * with the state until its next write while the JSON kept stays within {@code jsonBudget} bytes (the
   * node's: every reader passes the same), so only the first read after a write renders it. Null when
   * the profile is not hosted here.
   */
  public byte[] latestJson(String userId, ProfileSettings settings, long jsonBudget, Function<ProfileView, byte[]> render) {
    ProfileState state = states.get(userId);
    if (state == null) return null;
    Rendered r = rendered.get(userId);
    if (r != null && r.state() == state) return r.json();
    byte[] json = render.apply(state.view(null, settings));
    keep(userId, state, json, jsonBudget);
    return json;
  }

  /** Bytes of JSON kept now (a gauge for operators and tests). */
  public long jsonBytes() {
    return jsonBytes.get();
  }

  private void keep(String userId, ProfileState state, byte[] json, long jsonBudget) {
    if (jsonBytes.addAndGet(json.length) > jsonBudget) {
      jsonBytes.addAndGet(-json.length);
      return;
    }
    Rendered r = new Rendered(state, json);
    Rendered old = rendered.put(userId, r);
    if (old != null) release(old); // a concurrent read's, or a stale state's
    EngineMetrics.readCacheBytes.set(jsonBytes.get());
    // Published over meanwhile: the publisher may have looked before this JSON was there.
    if (states.get(userId) != state && rendered.remove(userId, r)) release(r);
  }

  /** Takes the user's JSON away, giving its bytes back. */
  private void drop(String userId) {
    Rendered old = rendered.remove(userId);
    if (old != null) release(old);
  }

  /** Whoever removed an entry from {@code rendered} gives its bytes back (once: the removal). */
  private void release(Rendered r) {
    EngineMetrics.readCacheBytes.set(jsonBytes.addAndGet(-r.json().length));
  }

  /**
   * Called by the entity after a confirmed write or a recovery: a profile that does not exist yet is
   * not published, nor one in the middle of a merge or unmerge (its entity answers once the step
   * ends: the other side may have taken over already).
   */
  void publish(String userId, ProfileState state) {
    if (state.exists() && state.links().pending() == null) states.put(userId, state);
    else states.remove(userId);
    drop(userId);
  }

  /** Called by the entity when it stops, restarts or starts forgetting: reads go to the entity again. */
  void withdraw(String userId) {
    states.remove(userId);
    drop(userId);
  }
}
