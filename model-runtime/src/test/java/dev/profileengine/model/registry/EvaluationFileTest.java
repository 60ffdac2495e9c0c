package dev.profileengine.model.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** evaluation.json is optional data beside a version: found, missing (saying which) or unreadable (saying why), never a throw. */
class EvaluationFileTest {
  @TempDir Path root;

  private Path version(String name) throws Exception {
    return CommittedVersion.copy(root, name);
  }

  private EvaluationFile.Lookup read(String version) {
    return EvaluationFile.read(Optional.of(new ModelRegistry(root)), version);
  }

  @Test
  void aSavedReportIsFoundAndReplacedWhole() throws Exception {
    Path dir = version("v-a");
    EvaluationFile.write(dir, "{\"model\":{\"accuracy\":0.5,\"title\":\"model v-a\"}}");
    EvaluationFile.Found found = assertInstanceOf(EvaluationFile.Found.class, read("v-a"));
    assertEquals(0.5, found.report().get("model").get("accuracy").asDouble());
    EvaluationFile.write(dir, "{\"model\":{\"accuracy\":0.75}}\n");
    assertEquals(0.75, assertInstanceOf(EvaluationFile.Found.class, read("v-a")).report().get("model").get("accuracy").asDouble());
    assertFalse(Files.exists(dir.resolve(EvaluationFile.FILE + ".tmp")));
  }

  @Test
  void aMissingVersionOrReportNamesTheVersion() throws Exception {
    version("v-b");
    EvaluationFile.Missing noReport = assertInstanceOf(EvaluationFile.Missing.class, read("v-b"));
    assertTrue(noReport.reason().contains("v-b") && noReport.reason().contains("no evaluation report"), noReport.reason());
    EvaluationFile.Missing noVersion = assertInstanceOf(EvaluationFile.Missing.class, read("v-none"));
    assertTrue(noVersion.reason().contains("no model version v-none"), noVersion.reason());
  }

  @Test
  void aCorruptReportIsUnreadableWithItsReason() throws Exception {
    Path dir = version("v-c");
    for (var bad : List.of(List.of("{\"model\": {", "not JSON"), List.of("[1, 2]", "not a JSON object"), List.of("{\"majority\":{}}", "no \"model\" entry"),
        List.of("{\"model\": 3}", "no \"model\" entry"), List.of("", "not a JSON object"))) {
      Files.writeString(dir.resolve(EvaluationFile.FILE), bad.get(0));
      EvaluationFile.Unreadable u = assertInstanceOf(EvaluationFile.Unreadable.class, read("v-c"), bad.get(0));
      assertTrue(u.reason().contains(bad.get(1)), bad + ": " + u.reason());
    }
    Files.write(dir.resolve(EvaluationFile.FILE), new byte[EvaluationFile.MAX_BYTES + 1]);
    assertTrue(assertInstanceOf(EvaluationFile.Unreadable.class, read("v-c")).reason().contains("larger than"));
    Files.delete(dir.resolve(EvaluationFile.FILE));
    Files.createDirectory(dir.resolve(EvaluationFile.FILE));
    String reason = assertInstanceOf(EvaluationFile.Unreadable.class, read("v-c"), "a directory where the file should be").reason();
    assertFalse(reason.contains(root.toString()), "no server path in a reason callers see: " + reason);
  }

  @Test
  void aMalformedVersionNameIsRefusedBeforeAnythingIsRead() {
    for (String bad : List.of("../etc", "", ".hidden", "a/b", "x".repeat(101)))
      assertThrows(IllegalArgumentException.class, () -> read(bad), bad);
  }

  @Test
  void thePackagedModelCarriesItsReport() {
    // No registry, or one without the version: the copy packaged in the jar answers.
    for (Optional<ModelRegistry> registry : List.of(Optional.<ModelRegistry>empty(), Optional.of(new ModelRegistry(root)))) {
      EvaluationFile.Found found = assertInstanceOf(EvaluationFile.Found.class, EvaluationFile.read(registry, "nb-gru-v2"));
      assertEquals("nb-gru-v2", found.report().get("model").get("version").asText());
      assertEquals("taobao-userbehavior-users.csv", found.report().get("model").get("data").asText());
      assertTrue(found.report().get("model").get("reliability").size() > 0);
    }
  }
}
