package dev.profileengine.model.registry;

import dev.profileengine.model.encoding.EncodedSequence;
import dev.profileengine.model.encoding.UserContext;
import dev.profileengine.model.inference.CutComparison;
import dev.profileengine.model.inference.NextBehaviorModel;
import dev.profileengine.profile.BehaviorType;
import dev.profileengine.profile.RecentBehavior;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attention encoder cut to a batch's longest sequence answers as over its whole window: the
 * cut positions are padding, masked as keys, and the kept ones keep their position embeddings.
 */
class AttentionPaddingCutTest {
  static {
    if (System.getProperty("ai.djl.offline") == null) System.setProperty("ai.djl.offline", "true");
  }

  @TempDir Path root;
  private RandomAttentionModel att;
  private NextBehaviorModel model;

  @BeforeEach
  void create() throws Exception {
    att = RandomAttentionModel.create(root, "att-cut", 17);
    model = NextBehaviorModel.of(att.bundle(), att.model());
  }

  @AfterEach
  void close() {
    att.model().close();
  }

  private List<EncodedSequence> encoded(int... lengths) {
    Random r = new Random(9);
    BehaviorType[] types = {BehaviorType.VIEW, BehaviorType.VIEW, BehaviorType.CART, BehaviorType.FAVORITE, BehaviorType.PURCHASE};
    List<EncodedSequence> out = new ArrayList<>();
    for (int n : lengths) {
      List<RecentBehavior> h = new ArrayList<>();
      long t = 1_511_600_000_000L;
      for (int i = 0; i < n; i++) h.add(new RecentBehavior(types[r.nextInt(types.length)], String.valueOf(1000 + r.nextInt(40)), t += 1000L * r.nextInt(900)));
      out.add(att.bundle().encoder().encode(UserContext.of(h)));
    }
    return out;
  }

  private void assertSameOutput(int... lengths) {
    CutComparison.assertCutAnswersAsTheWholeWindow(model, encoded(lengths));
  }

  @Test
  void newProfilesAnswerAsWithTheirWholePaddedWindow() {
    assertSameOutput(1, 1, 2, 3);
  }

  @Test
  void aBatchOfMixedLengthsAnswersAsWithTheWholeWindow() {
    assertSameOutput(1, 7, 23, 2, 49);
  }

  @Test
  void aProfileWithoutBehaviorsKeepsItsBatchWhole() {
    assertSameOutput(0, 3, 1);
  }
}
