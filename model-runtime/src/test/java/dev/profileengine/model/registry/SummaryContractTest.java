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
}
