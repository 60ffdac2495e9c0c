package dev.profileengine.bench.charts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class ChartSvgTest {
  static final String SVG_NS = "http://www.w3.org/2000/svg";
  static final String HOSTILE = "<script>&\"";

  /** Parses as a strict XML parser does: a document that is not well-formed throws. */
  static Document parse(String svg) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    return factory.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
  }

  static List<Element> elements(Document doc, String name, String cssClass) {
    NodeList nodes = doc.getElementsByTagNameNS(SVG_NS, name);
    List<Element> out = new ArrayList<>();
    for (int i = 0; i < nodes.getLength(); i++) {
      Element e = (Element) nodes.item(i);
      if (cssClass == null || cssClass.equals(e.getAttribute("class"))) out.add(e);
    }
    return out;
  }

  static List<String> texts(Document doc) {
    return elements(doc, "text", null).stream().map(Element::getTextContent).toList();
  }

  private static BarChart bars(double[][] values, List<Target> targets) {
    return new BarChart("Ingest", "replay rate (events/s)", List.of("run 1", "run 2\n2,600 events/s"), List.of("cold", "live"), values,
        targets, "Source: test.");
  }

  @Test
  void aBarChartIsAnSvgDocumentWithTitleAxisLegendAndCaption() throws Exception {
    Document doc = parse(bars(new double[][] {{5846, 12389}, {6293, 12732}}, List.of(Target.line("target >= 50,000 events/s", 50_000))).svg());
    Element root = doc.getDocumentElement();
    assertEquals("svg", root.getLocalName());
    assertEquals(SVG_NS, root.getNamespaceURI());
    assertEquals("Ingest", elements(doc, "title", null).get(0).getTextContent());
    List<String> texts = texts(doc);
    for (String expected : List.of("Ingest", "replay rate (events/s)", "cold", "live", "run 1", "run 2", "2,600 events/s",
        "12,389", "60,000", "target >= 50,000 events/s", "Source: test.")) {
      assertTrue(texts.contains(expected), expected + " in " + texts);
    }
    assertEquals(1, elements(doc, "line", "target").size());
  }

  @Test
  void labelsAreEscapedEverywhere() throws Exception {
    BarChart chart = new BarChart(HOSTILE, HOSTILE, List.of(HOSTILE), List.of(HOSTILE, "b"), new double[][] {{1, 2}},
        List.of(Target.line(HOSTILE, 1.5), Target.forGroup(HOSTILE, 1, 0)), HOSTILE);
    String svg = chart.svg();
    assertFalse(svg.contains("<script"), "raw markup from a label reached the document");
    assertTrue(svg.contains("&lt;script&gt;&amp;&quot;"), svg);
    Document doc = parse(svg);
    assertEquals(0, doc.getElementsByTagNameNS("*", "script").getLength());
    assertEquals(HOSTILE, elements(doc, "title", null).get(0).getTextContent());
    assertEquals(HOSTILE, doc.getDocumentElement().getAttribute("aria-label"));
    assertTrue(texts(doc).stream().filter(HOSTILE::equals).count() >= 5, texts(doc).toString());
    assertEquals(HOSTILE, elements(doc, "rect", "bar").get(0).getAttribute("data-group"));

    LineChart line = new LineChart(HOSTILE, HOSTILE, HOSTILE, List.of(new LineChart.Series(HOSTILE, List.of(new LineChart.Point(1, 2)))),
        List.of(Target.line(HOSTILE, 3)), HOSTILE);
    String lineSvg = line.svg();
    assertFalse(lineSvg.contains("<script"));
    assertEquals(HOSTILE, elements(parse(lineSvg), "circle", "point").get(0).getAttribute("data-series"));
  }

  @Test
  void controlCharactersThatXmlForbidsAreDropped() throws Exception {
    String label = "a\u0001b\u001fc";
    Document doc = parse(new BarChart(label, "y", List.of(label), List.of("s"), new double[][] {{1}}, List.of(), "c").svg());
    assertEquals("abc", elements(doc, "title", null).get(0).getTextContent());
  }

  @Test
  void barHeightsAreProportionalToTheValuesFromACommonBaseline() throws Exception {
    double[][] values = {{10, 20}, {40, 35.5}};
    List<Element> rects = elements(parse(bars(values, List.of()).svg()), "rect", "bar");
    assertEquals(4, rects.size());
    double perUnit = Double.parseDouble(rects.get(0).getAttribute("height")) / 10;
    double baseline = Double.parseDouble(rects.get(0).getAttribute("y")) + Double.parseDouble(rects.get(0).getAttribute("height"));
    for (Element rect : rects) {
      double value = Double.parseDouble(rect.getAttribute("data-value"));
      double height = Double.parseDouble(rect.getAttribute("height"));
      assertEquals(value * perUnit, height, 0.02, rect.getAttribute("data-group") + " / " + rect.getAttribute("data-series"));
      assertEquals(baseline, Double.parseDouble(rect.getAttribute("y")) + height, 0.02);
    }
    assertEquals(List.of("10", "20", "40", "35.5"), rects.stream().map(r -> r.getAttribute("data-value")).toList());
  }

  @Test
  void aTargetLineSitsAtItsValueOnTheSameAxisAsTheBars() throws Exception {
    Document doc = parse(bars(new double[][] {{10, 20}, {40, 30}}, List.of(Target.line("t", 25))).svg());
    Element bar = elements(doc, "rect", "bar").get(0); // value 10
    double baseline = Double.parseDouble(bar.getAttribute("y")) + Double.parseDouble(bar.getAttribute("height"));
    double perUnit = Double.parseDouble(bar.getAttribute("height")) / 10;
    Element target = elements(doc, "line", "target").get(0);
    assertEquals(baseline - 25 * perUnit, Double.parseDouble(target.getAttribute("y1")), 0.02);
  }

  @Test
  void aMissingFigureDrawsNoBar() throws Exception {
    Document doc = parse(bars(new double[][] {{10, Double.NaN}, {40, 30}}, List.of()).svg());
    assertEquals(3, elements(doc, "rect", "bar").size());
    assertTrue(texts(doc).contains("n/a"));
  }

  @Test
  void aLineChartPlacesPointsInProportionOnBothAxes() throws Exception {
    LineChart chart = new LineChart("Pool", "offered predictions/s", "added latency (ms)", List.of(
        new LineChart.Series("p99", List.of(new LineChart.Point(11245, 9.07), new LineChart.Point(5622, 7.64))),
        new LineChart.Series("p50", List.of(new LineChart.Point(5622, 4.11), new LineChart.Point(11245, 4.68)))),
        List.of(Target.line("target p99 <= 10 ms", 10)), "Source: test.");
    Document doc = parse(chart.svg());
    List<Element> points = elements(doc, "circle", "point");
    assertEquals(4, points.size());
    assertEquals(2, elements(doc, "polyline", null).size());
    // p99 sorted by x: (5622, 7.64) then (11245, 9.07)
    assertEquals("5622", points.get(0).getAttribute("data-x"));
    Element target = elements(doc, "line", "target").get(0);
    double y10 = Double.parseDouble(target.getAttribute("y1"));
    double y764 = Double.parseDouble(points.get(0).getAttribute("cy"));
    double y907 = Double.parseDouble(points.get(1).getAttribute("cy"));
    double baseline = y10 + (y764 - y10) / (10 - 7.64) * 10; // where 0 is, from two known heights
    assertEquals(9.07 / 10, (baseline - y907) / (baseline - y10), 0.001);
    double x1 = Double.parseDouble(points.get(0).getAttribute("cx"));
    double x2 = Double.parseDouble(points.get(1).getAttribute("cx"));
    double x0 = x1 - (x2 - x1) / (11245 - 5622) * 5622;
    assertEquals(84, x0, 0.05, "x = 0 at the plot's left edge");
    assertTrue(texts(doc).contains("target p99 <= 10 ms"));
  }

  @Test
  void axesAreRoundAndNumbersReadAsInTheReport() {
    assertEquals(new Scale(60_000, 20_000), Scale.covering(54_000));
    assertEquals(new Scale(500, 100), Scale.covering(441));
    assertEquals(new Scale(12.5, 2.5), Scale.covering(11.5));
    assertEquals(List.of(0.0, 2.5, 5.0, 7.5, 10.0, 12.5), Scale.covering(11.5).ticks());
    assertEquals("12,389", NumberText.of(12389));
    assertEquals("0.53", NumberText.of(0.53));
    assertEquals("40.4", NumberText.of(40.4));
    assertEquals("6.7", NumberText.of(6.70));
    assertEquals("22,490", NumberText.of(22490.4));
  }
}
