package dev.profileengine.engine.model;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;

/**
 * Whether this node has read the cluster's model assignment at least once and applied it (or found
 * nothing stored): until then a starting node would serve its registry default, so it is not ready
 * (see {@code ReadinessCheck}). A version that fails to load still counts: the node keeps serving
 * its model and reports the error. Always caught up when predictions are off.
 */
public final class AssignmentFollowed implements Extension {
  private volatile boolean expected;
  private volatile boolean followed;

  public static AssignmentFollowed get(ActorSystem<?> system) {
    return Id.INSTANCE.apply(system);
  }

  void expect() {
    expected = true;
  }

  void followed() {
    followed = true;
  }

  public boolean caughtUp() {
    return !expected || followed;
  }

  static final class Id extends ExtensionId<AssignmentFollowed> {
    static final Id INSTANCE = new Id();

    @Override
    public AssignmentFollowed createExtension(ActorSystem<?> system) {
      return new AssignmentFollowed();
    }
  }
}
