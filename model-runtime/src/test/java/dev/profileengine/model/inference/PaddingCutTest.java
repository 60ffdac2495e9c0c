package dev.profileengine.model.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.profileengine.model.encoding.EncodedSequence;
import dev.profileengine.model.encoding.UserContext;
import dev.profileengine.model.nn.EncodedBatchTranslator;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A batch cut to its longest sequence answers as the model's whole padded window does. */
class PaddingCutTest {
  private static NextBehaviorModel model;

  @BeforeAll
  static void load() {
    model = Models.defaultModel();
  }

  @AfterAll
  static void close() {
    model.close();
  }

  private static List<EncodedSequence> encoded(int... lengths) {
    Random r = new Random(7);
    List<EncodedSequence> out = new ArrayList<>();
    for (int n : lengths) out.add(model.bundle().encoder().encode(UserContext.of(Models.history(r, n))));
    return out;
  }

  private static void assertSameOutput(int... lengths) {
    CutComparison.assertCutAnswersAsTheWholeWindow(model, encoded(lengths));
  }

  @Test
  void newProfilesAnswerAsWithTheirWholePaddedWindow() {
    assertSameOutput(1, 1, 2, 1, 3);
  }

  @Test
  void aBatchOfMixedLengthsAnswersAsWithTheWholeWindow() {
    assertSameOutput(1, 7, 23, 2, 49);
  }

  @Test
  void fullAndLongerHistoriesAnswerAsBefore() {
    assertSameOutput(50, 120, 1, 50);
  }

  @Test
  void aBatchRunsOnlyAsManyStepsAsItsLongestSequence() {
    List<EncodedSequence> batch = encoded(1, 4, 2);
    float[][] pad = new float[51][32];
    try (NDManager m = NDManager.newBaseManager()) {
      NDList in = EncodedBatchTranslator.toTrimmedNDList(m, batch, 50, batch.get(0).features().length, new dev.profileengine.model.nn.PaddingCut(pad));
      assertEquals(4, in.get(0).getShape().get(1));
      assertEquals(5, in.size());
      assertEquals(3, in.get(4).getShape().get(1));
    }
  }
}
