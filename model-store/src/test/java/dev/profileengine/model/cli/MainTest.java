package dev.profileengine.model.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.profileengine.model.TestData;
import dev.profileengine.model.recommend.Popularity;
import dev.profileengine.model.registry.EvaluationFile;
import dev.profileengine.model.registry.ModelBundle;
import dev.profileengine.model.registry.ModelRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
  @TempDir Path dir;

  @Test
  void evaluateJsonPrintsOnlyOneJsonObject() throws Exception {
    Path data = TestData.firstUsers(60, dir);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Path chart = dir.resolve("charts/report.svg");
    Path png = dir.resolve("charts/report.PNG");
    int rc = Main.run(new String[] {"evaluate", "--data", data.toString(), "--format", "taobao", "--json", "--bootstrap", "200",
        "--seed", "7", "--chart", chart.toString()},
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
    String text = out.toString(StandardCharsets.UTF_8).strip();
    JsonNode root = new ObjectMapper().readTree(text);
    assertTrue(root.isObject());
    assertEquals(text.lastIndexOf('}'), text.length() - 1);
    for (String k : List.of("model", "majority", "globalMarkov", "userMarkov", "repeatLast", "globalPopular", "userMostFrequent")) {
      assertTrue(root.has(k), k);
      for (String metric : List.of("accuracy", "macroF1", "logLoss", "categoryRecallAt10")) assertTrue(root.get(k).has(metric), k + "." + metric);
    }
    assertTrue(root.get("model").get("logLoss").isNumber());
    assertTrue(root.get("model").get("version").isTextual());
    // additions: intervals per metric, tuned baselines, the paired comparison; the chart file
    JsonNode ci = root.get("model").get("ci95").get("macroF1");
    assertTrue(ci.get("lo").asDouble() <= root.get("model").get("macroF1").asDouble()
        && root.get("model").get("macroF1").asDouble() <= ci.get("hi").asDouble(), ci.toString());
    assertTrue(root.get("model").get("ci95").get("f1PerType").has("view"));
    assertTrue(root.get("userMarkovTuned").get("tunedOnValidation").asBoolean());
    assertTrue(root.get("model").get("vsBestBaseline").get("logLoss").get("ci95").has("lo"));
    assertEquals(7, root.get("model").get("bootstrap").get("seed").asInt());
    assertTrue(Files.readString(chart).startsWith("<?xml"), "chart written");

    // The same run with a *.png name writes a picture of the same layout.
    rc = Main.run(new String[] {"evaluate", "--data", data.toString(), "--format", "taobao", "--bootstrap", "20", "--chart", png.toString()},
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
    java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(png.toFile());
    assertTrue(image != null, "a PNG that decodes");
    org.w3c.dom.Element svg = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
        .parse(chart.toFile()).getDocumentElement();
    assertEquals(Integer.parseInt(svg.getAttribute("width")), image.getWidth());
    assertEquals(Integer.parseInt(svg.getAttribute("height")), image.getHeight());
  }

  @Test
  void evaluateSaveStoresTheJsonReportInTheVersionDirectory() throws Exception {
    Path src = Path.of(System.getProperty("profile.models.source", "models")).resolve("nb-gru-v2");
    Path version = Files.createDirectories(dir.resolve("registry/nb-gru-v2"));
    for (String f : List.of(ModelBundle.MANIFEST, ModelBundle.VOCABULARY, ModelBundle.PARAMS_FILE)) Files.copy(src.resolve(f), version.resolve(f));
    Path data = TestData.firstUsers(40, dir);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc = Main.run(new String[] {"evaluate", "--data", data.toString(), "--model", version.toString(), "--json", "--save", "--bootstrap", "20"},
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
    Path saved = version.resolve(EvaluationFile.FILE);
    assertEquals(out.toString(StandardCharsets.UTF_8).strip(), Files.readString(saved).strip(), "the file is exactly what --json prints");
    assertFalse(Files.exists(version.resolve(EvaluationFile.FILE + ".tmp")));
    // What a node reads back, from the registry that holds the version.
    var found = EvaluationFile.read(java.util.Optional.of(new ModelRegistry(version.getParent())), "nb-gru-v2");
    assertTrue(found instanceof EvaluationFile.Found, found.toString());
    assertEquals("nb-gru-v2", ((EvaluationFile.Found) found).report().get("model").get("version").asText());

    ByteArrayOutputStream usage = new ByteArrayOutputStream();
    assertEquals(2, Main.run(new String[] {"evaluate", "--data", data.toString(), "--save"}, System.out,
        new PrintStream(usage, true, StandardCharsets.UTF_8)), "--save needs --model");
    assertTrue(usage.toString(StandardCharsets.UTF_8).contains("--model"), usage.toString(StandardCharsets.UTF_8));
  }

  @Test
  void popularityWritesTheCommittedFileAndRefusesAnotherDataFile() throws Exception {
    Path src = Path.of(System.getProperty("profile.models.source", "models")).resolve("nb-gru-v2");
    Path version = Files.createDirectories(dir.resolve("v"));
    for (String f : List.of(ModelBundle.MANIFEST, ModelBundle.VOCABULARY)) Files.copy(src.resolve(f), version.resolve(f));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
    int rc = Main.run(new String[] {"popularity", "--data", TestData.users().toString(), "--model-dir", version.toString()}, o, o);
    assertEquals(0, rc, out.toString(StandardCharsets.UTF_8));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("57584 categorized history events; top 200 categories"));
    assertEquals(Popularity.read(src.resolve(Popularity.FILE)), Popularity.read(version.resolve(Popularity.FILE)));

    Files.delete(version.resolve(Popularity.FILE));
    rc = Main.run(new String[] {"popularity", "--data", TestData.firstUsers(5, dir).toString(), "--model-dir", version.toString()}, o, o);
    assertEquals(1, rc, "not the training file");
    assertFalse(Files.exists(version.resolve(Popularity.FILE)));
  }

  @Test
  void usageErrorsExitWithTwo() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
    assertEquals(2, Main.run(new String[] {"evaluate"}, System.out, e));
    assertEquals(2, Main.run(new String[] {"frobnicate"}, System.out, e));
    assertEquals(2, Main.run(new String[] {"evaluate", "--data", "x.csv", "--format", "xml"}, System.out, e));
    assertEquals(1, Main.run(new String[] {"evaluate", "--data", dir.resolve("missing.csv").toString()}, System.out, e));
    assertEquals(2, Main.run(new String[] {"evaluate", "--data", "x.csv", "--bootstrap", "-1"}, System.out, e));
    assertEquals(2, Main.run(new String[] {"evaluate", "--data", "x.csv", "--served", "ftp://127.0.0.1:8080"}, System.out, e));
    assertEquals(2, Main.run(new String[] {"evaluate", "--data", "x.csv", "--served", "http://127.0.0.1:8080", "--served-wait", "0"},
        System.out, e));
    assertEquals(2, Main.run(new String[] {"evaluate", "--data", "x.csv", "--served", "http://127.0.0.1:8080", "--served-window", "0"},
        System.out, e));
  }
}
