package dev.profileengine.model.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.profileengine.model.dataset.ChronologicalSplit;
import dev.profileengine.profile.RecentBehavior;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

class SvgChartTest {
  private static final String HOSTILE = "model <script>alert(\"x\")</script> & 'co' \u0001";

  @Test
  void chartIsWellFormedSvgWithEscapedTitles() throws Exception {
    Map<String, List<RecentBehavior>> users = SyntheticUsers.users(30, 30, 5);
    EvaluationReport report = Evaluator.evaluate(SyntheticUsers.dataset(users), ChronologicalSplit.DEFAULT,
        SyntheticUsers.oracle(users, true, HOSTILE), new Bootstrap.Options(100, 2));
    String svg = SvgChart.render(report);
    Document doc = parse(svg);
    assertEquals("svg", doc.getDocumentElement().getLocalName());
    assertEquals("http://www.w3.org/2000/svg", doc.getDocumentElement().getNamespaceURI());
    assertEquals(0, doc.getElementsByTagNameNS("*", "script").getLength(), "markup in a title stays text");
    List<String> texts = texts(doc.getElementsByTagNameNS("*", "text"));
    String clean = HOSTILE.replace("\u0001", "");
    assertTrue(texts.contains(clean), "the title round-trips as text: " + texts);
    assertTrue(texts.contains("F1 per next-behavior type (held out)"));
    assertTrue(texts.stream().anyMatch(t -> t.startsWith("Reliability")));
    assertTrue(texts.stream().anyMatch(t -> t.startsWith("Next category")));
    assertTrue(doc.getElementsByTagNameNS("*", "polyline").getLength() >= 1, "a reliability curve");
  }

  @Test
  void escapeCoversMarkupAndDropsControlCharacters() {
    assertEquals("a&amp;b&lt;c&gt;&quot;&apos;d", SvgChart.escape("a&b<c>\"'d\u0000"));
  }

  @Test
  void categoryOnlyReportStillRenders() throws Exception {
    EvaluationReport report = Evaluator.evaluate(SyntheticUsers.dataset(SyntheticUsers.users(8, 20, 9)), ChronologicalSplit.DEFAULT,
        List.of(new Baseline.UserRecent()), null, List.of(), new Bootstrap.Options(20, 1));
    Document doc = parse(SvgChart.render(report));
    assertTrue(texts(doc.getElementsByTagNameNS("*", "text")).stream().noneMatch(t -> t.startsWith("F1 per")));
  }

  private static Document parse(String svg) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setNamespaceAware(true);
    f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return f.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
  }

  private static List<String> texts(NodeList nodes) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < nodes.getLength(); i++) out.add(nodes.item(i).getTextContent());
    return out;
  }
}
