package dev.profileengine.engine.profiles;

import dev.profileengine.profile.EventResult;
import java.util.List;

/**
 * The results of recorded events, in request order; {@code complete} is false when some entity did
 * not answer in time, or when the node was overloaded ({@code refused}, else null: nothing of the
 * batch was handed to an entity, every valid event {@code unconfirmed} with the reason).
 */
public record Recorded(List<EventResult> results, boolean complete, Refusal refused) {
  /** The batch was refused whole by admission control. */
  public boolean shed() {
    return refused != null;
  }

  public long count(String status) {
    return results.stream().filter(r -> r.status().equals(status)).count();
  }
}
