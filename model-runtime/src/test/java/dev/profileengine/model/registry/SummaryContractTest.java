package dev.profileengine.model.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.profileengine.model.ModelLoadException;
import dev.profileengine.model.encoding.SummaryFeatures;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model trained on another summary contract than the one serving feeds (the counters of the whole
 * history next to the last 50 behaviors) is refused when loaded, with the reason, instead of being
 * served inputs it never saw.
 */
class SummaryContractTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path root;

  private Path copy(String name) throws Exception {
    return CommittedVersion.copy(root, name);
  }

  @Test
  void theCommittedModelNamesTheContractServingFeeds() throws Exception {
    Path dir = copy("current");
    assertEquals(SummaryFeatures.CONTRACT, ModelBundle.read(dir).manifest().encoding().summary());
  }

  @Test
  void aModelTrainedOnTheWindowSummariesIsRefused() throws Exception {
    Path dir = copy("before-counters");
    ObjectNode manifest = (ObjectNode) JSON.readTree(dir.resolve(ModelBundle.MANIFEST).toFile());
    ((ObjectNode) manifest.get("encoding")).remove("summary"); // as every manifest written before the counters
    JSON.writeValue(dir.resolve(ModelBundle.MANIFEST).toFile(), manifest);
    ModelLoadException e = assertThrows(ModelLoadException.class, () -> ModelBundle.read(dir));
    assertTrue(e.getMessage().contains("retrain") && e.getMessage().contains("1,024"), e.getMessage());

    ((ObjectNode) manifest.get("encoding")).put("summary", "some-future-contract");
    JSON.writeValue(dir.resolve(ModelBundle.MANIFEST).toFile(), manifest);
    e = assertThrows(ModelLoadException.class, () -> ModelBundle.read(dir));
    assertTrue(e.getMessage().contains("some-future-contract"), e.getMessage());
  }

  @Test
  void aModelOfTheWeekdayContractLoadsBesideTheFirst() throws Exception {
    Path dir = copy("weekday");
    ObjectNode manifest = (ObjectNode) JSON.readTree(dir.resolve(ModelBundle.MANIFEST).toFile());
    ObjectNode enc = (ObjectNode) manifest.get("encoding");
    enc.put("summary", SummaryFeatures.WEEKDAY_CONTRACT);
    ((com.fasterxml.jackson.databind.node.ArrayNode) enc.get("featureNames")).add("weekdaySin").add("weekdayCos");
    ((com.fasterxml.jackson.databind.node.ArrayNode) enc.get("featureMean")).add(0.0).add(0.0);
    ((com.fasterxml.jackson.databind.node.ArrayNode) enc.get("featureStd")).add(1.0).add(1.0);
    JSON.writeValue(dir.resolve(ModelBundle.MANIFEST).toFile(), manifest);
    ModelBundle weekday = ModelBundle.read(dir);
    ModelBundle first = ModelBundle.read(copy("first"));
    assertEquals(SummaryFeatures.WEEKDAY_CONTRACT, weekday.encoder().summary());
    assertEquals(first.encoder().featureCount() + 2, weekday.encoder().featureCount());
    assertEquals(SummaryFeatures.CONTRACT, first.encoder().summary());
    // The same context: the first features agree, the weekday ones follow.
    java.util.List<dev.profileengine.profile.RecentBehavior> h = java.util.List.of(
        new dev.profileengine.profile.RecentBehavior(dev.profileengine.profile.BehaviorType.VIEW, "1", 1_511_600_000_000L),
        // 2017-11-27 12:00 UTC+8, a Monday: sin 0, cos 1
        new dev.profileengine.profile.RecentBehavior(dev.profileengine.profile.BehaviorType.CART, "1", 1_511_755_200_000L));
    dev.profileengine.model.encoding.UserContext c = dev.profileengine.model.encoding.UserContext.of(h);
    float[] a = first.encoder().rawFeatures(c);
    float[] b = weekday.encoder().rawFeatures(c);
    assertEquals(a.length + 2, b.length);
    for (int i = 0; i < a.length; i++) assertEquals(a[i], b[i]);
    assertEquals(0f, b[a.length], 1e-6);
    assertEquals(1f, b[a.length + 1], 1e-6);
  }
}
