package dev.profileengine.model.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.profileengine.model.encoding.EncodedSequence;
import dev.profileengine.model.nn.NetOutput;
import java.util.List;

/** Asserts that a model's batches cut to their longest sequence answer as over the whole window. */
public final class CutComparison {
  private CutComparison() {}

  public static void assertCutAnswersAsTheWholeWindow(NextBehaviorModel model, List<EncodedSequence> batch) {
    NetOutput full;
    NetOutput cut;
    try (BehaviorPredictor whole = model.newPredictor(false); BehaviorPredictor trimmed = model.newPredictor()) {
      full = whole.forward(batch);
      cut = trimmed.forward(batch);
    }
    assertClose(full.typeLogitsFlat(), cut.typeLogitsFlat(), 1e-4f, "type logits");
    assertClose(full.categoryFlat(), cut.categoryFlat(), 1e-5f, "category probabilities");
  }

  private static void assertClose(float[] expected, float[] actual, float tolerance, String what) {
    assertEquals(expected.length, actual.length, what);
    for (int i = 0; i < expected.length; i++)
      assertTrue(Math.abs(expected[i] - actual[i]) <= tolerance, what + " [" + i + "]: " + expected[i] + " vs " + actual[i]);
  }
}
