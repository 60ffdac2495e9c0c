package dev.profileengine.model.encoding;

import dev.profileengine.profile.BehaviorHistory;
import dev.profileengine.profile.RecentBehavior;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What the model reads of one user: the recent behaviors (oldest first; the encoder reads the last
 * {@link EncodingSpec#sequenceLength()}) and the whole-history counters, which include them. The
 * engine passes a profile's {@code recent} and {@code history}; offline code folds every earlier
 * event of the user with the same {@link BehaviorHistory}, so both feed the model the same input.
 */
public record UserContext(List<RecentBehavior> recent, BehaviorHistory history) {
  public static final UserContext EMPTY = new UserContext(List.of(), BehaviorHistory.empty());

  public UserContext {
    if (recent == null || history == null) throw new IllegalArgumentException("recent and history are required");
    if (recent.size() > history.count())
      throw new IllegalArgumentException(recent.size() + " recent behaviors but a history of " + history.count());
  }

  /**
   * The context of a user whose whole history is {@code behaviors} (oldest first; out-of-order
   * input is sorted stably by time first, as the engine keeps it).
   */
  public static UserContext of(List<RecentBehavior> behaviors) {
    List<RecentBehavior> inOrder = behaviors;
    for (int i = 1; i < behaviors.size(); i++) {
      if (behaviors.get(i).epochMillis() < behaviors.get(i - 1).epochMillis()) {
        inOrder = new ArrayList<>(behaviors);
        inOrder.sort(Comparator.comparingLong(RecentBehavior::epochMillis));
        break;
      }
    }
    return new UserContext(inOrder, BehaviorHistory.of(inOrder));
  }
}
