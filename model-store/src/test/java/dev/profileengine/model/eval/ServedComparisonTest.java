package dev.profileengine.model.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.profileengine.model.dataset.ChronologicalSplit;
import dev.profileengine.profile.RecentBehavior;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Served predictions scored against the offline ones on the same events, the same users resampled. */
class ServedComparisonTest {
  private final Map<String, List<RecentBehavior>> users = SyntheticUsers.users(30, 40, 7);
  private final List<Evaluator.Target> targets = Evaluator.heldOutTargets(SyntheticUsers.dataset(users), ChronologicalSplit.DEFAULT);
  private final List<BatchScorer.Scored> right = Evaluator.scoreAll(SyntheticUsers.oracle(users, true, "right"), targets);
  private final List<BatchScorer.Scored> wrong = Evaluator.scoreAll(SyntheticUsers.oracle(users, false, "wrong"), targets);
  private final Bootstrap.Options options = new Bootstrap.Options(200, 1);

  private ServedComparison compare(List<BatchScorer.Scored> served) {
    Map<String, ServedComparison.Reference> refs = new LinkedHashMap<>();
    refs.put(ServedComparison.MODEL, new ServedComparison.Reference("offline", "offline", right));
    return ServedComparison.compare(targets, served, "served", refs, options);
  }

  @Test
  void servedAsOfflineHasNoGapAndTheOfflineRowIsEvaluatesModelRow() {
    ServedComparison c = compare(right);
    assertEquals(targets.size(), c.scoredEvents());
    assertEquals(1.0, c.coverage());
    EvaluationReport report = Evaluator.evaluate(SyntheticUsers.dataset(users), ChronologicalSplit.DEFAULT, List.of(),
        SyntheticUsers.oracle(users, true, "right"), List.of(), options);
    assertEquals(report.metrics("model"), c.references().get(ServedComparison.MODEL).metrics(), "the same events, the same metrics");
    assertEquals(report.rows().get("model").ci95(), c.references().get(ServedComparison.MODEL).ci95(), "the same resamples");
    for (EvaluationReport.Difference d : c.differences().get(ServedComparison.MODEL)) {
      assertEquals(0.0, d.difference(), 1e-12, d.metric());
      assertFalse(d.ci95().excludesZero(), d.metric());
    }
  }

  @Test
  void aWorseServedPathShowsAGapOutsideNoise() {
    ServedComparison c = compare(wrong);
    EvaluationReport.Difference logLoss = c.differences().get(ServedComparison.MODEL).stream()
        .filter(d -> d.metric().equals(UserTally.LOG_LOSS)).findFirst().orElseThrow();
    assertTrue(logLoss.difference() > 0 && logLoss.ci95().lo() > 0, logLoss.toString());
  }

  @Test
  void missingPredictionsAreLeftOutOfBothSidesAndCounted() {
    List<BatchScorer.Scored> partial = new ArrayList<>(right);
    for (int i = 0; i < partial.size(); i += 3) partial.set(i, null);
    ServedComparison c = compare(partial);
    long expected = partial.stream().filter(p -> p != null).count();
    assertEquals(expected, c.scoredEvents());
    assertEquals(targets.size(), c.predictedEvents());
    assertEquals((double) expected / targets.size(), c.coverage(), 1e-12);
    assertEquals(c.served().metrics(), c.references().get(ServedComparison.MODEL).metrics(), "the offline side counts the served events only");
    ObjectNode json = c.toJson(new ObjectMapper());
    assertEquals(expected, json.get("scoredEvents").asLong());
    assertEquals(0.0, json.at("/references/model/servedMinus/logLoss/difference").asDouble(), 1e-12);
    assertTrue(c.toTable().contains(String.format(java.util.Locale.ROOT, "on the %,d events served (of %,d held out)", expected, targets.size())),
        c.toTable());
  }
}
