package dev.profileengine.model.eval;

import dev.profileengine.model.eval.ChartMarks.Anchor;
import dev.profileengine.model.eval.ChartMarks.Circle;
import dev.profileengine.model.eval.ChartMarks.Line;
import dev.profileengine.model.eval.ChartMarks.Mark;
import dev.profileengine.model.eval.ChartMarks.Page;
import dev.profileengine.model.eval.ChartMarks.Polyline;
import dev.profileengine.model.eval.ChartMarks.Rect;
import dev.profileengine.model.eval.ChartMarks.Text;
import dev.profileengine.profile.BehaviorType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders an {@link EvaluationReport} as one standalone SVG document (hand-written text, no
 * dependencies; the layout, {@link #layout}, is shared with {@link PngChart}): per-type F1 of the model and the next-behavior baselines with 95% bootstrap
 * whiskers, the reliability curves of the model and the best log-loss baseline, and category
 * Hit@10 / Recall@10 of every category row with whiskers. Every text from the report is
 * XML-escaped (file names and titles may hold markup characters).
 */
public final class SvgChart {
  private static final int WIDTH = 980;
  private static final String[] PALETTE = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
      "#bcbd22", "#17becf"};
  private static final String FONT = "font-family=\"sans-serif\"";

  private SvgChart() {}

  public static String render(EvaluationReport report) {
    Page page = layout(report);
    StringBuilder sb = new StringBuilder();
    sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">%n",
        page.width(), page.height(), page.width(), page.height()));
    for (Mark m : page.marks()) sb.append(svg(m));
    sb.append("</svg>\n");
    return sb.toString();
  }

  /** The report's chart as marks on a page {@value #WIDTH} pixels wide. */
  public static Page layout(EvaluationReport report) {
    List<Mark> body = new ArrayList<>();
    int y = 20;
    body.add(text(20, y + 12, 16, "bold", "Evaluation: " + report.dataFile()));
    y += 22;
    body.add(text(20, y + 12, 12, "normal", String.format(Locale.ROOT,
        "%d users, %d predicted events; whiskers: 95%% percentile bootstrap over users (%d resamples, seed %d)", report.users(),
        report.predictedEvents(), report.bootstrap().resamples(), report.bootstrap().seed())));
    y += 30;
    y = f1Panel(report, body, y);
    y = reliabilityPanel(report, body, y);
    y = categoryPanel(report, body, y);
    List<Mark> marks = new ArrayList<>();
    marks.add(new Rect(0, 0, WIDTH, y + 20, "#ffffff", null));
    marks.addAll(body);
    return new Page(WIDTH, y + 20, List.copyOf(marks));
  }

  private static String svg(Mark mark) {
    if (mark instanceof Text t) {
      return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" %s font-size=\"%d\" font-weight=\"%s\" text-anchor=\"%s\">%s</text>%n", t.x(),
          t.y(), FONT, t.size(), t.bold() ? "bold" : "normal", t.anchor().name().toLowerCase(Locale.ROOT), escape(t.text()));
    }
    if (mark instanceof Line l) {
      return String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"%s/>%n", l.x1(), l.y1(), l.x2(), l.y2(),
          l.color(), l.dashed() ? " stroke-dasharray=\"4 3\"" : "");
    }
    if (mark instanceof Rect r) {
      String shape = String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"", r.x(), r.y(), r.width(),
          r.height(), r.fill());
      return r.title() == null ? shape + "/>\n" : shape + "><title>" + escape(r.title()) + "</title></rect>\n";
    }
    if (mark instanceof Circle c) {
      return String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"%s\"><title>%s</title></circle>%n", c.cx(), c.cy(), c.r(),
          c.fill(), escape(c.title()));
    }
    Polyline p = (Polyline) mark;
    StringBuilder pts = new StringBuilder();
    for (int i = 0; i < p.xs().length; i++) pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", p.xs()[i], p.ys()[i]));
    return String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"%s\"/>%n", pts.toString().strip(),
        p.color(), p.width() == Math.rint(p.width()) ? String.valueOf((int) p.width()) : String.valueOf(p.width()));
  }

  /** Grouped vertical bars: one group per held-out label type, one bar per next-behavior row. */
  private static int f1Panel(EvaluationReport report, List<Mark> sb, int top) {
    List<Map.Entry<String, EvaluationReport.Row>> rows = report.rows().entrySet().stream()
        .filter(e -> !e.getValue().f1PerType().isEmpty()).toList();
    if (rows.isEmpty()) return top;
    List<BehaviorType> types = new ArrayList<>(rows.get(0).getValue().f1PerType().keySet());
    sb.add(text(20, top + 14, 14, "bold", "F1 per next-behavior type (held out)"));
    int plotTop = top + 30;
    int plotH = 220;
    int left = 60;
    int plotW = WIDTH - left - 30;
    axisY(sb, left, plotTop, plotW, plotH, 1.0);
    double groupW = (double) plotW / types.size();
    double barW = Math.min(22, (groupW - 20) / rows.size());
    for (int g = 0; g < types.size(); g++) {
      BehaviorType t = types.get(g);
      double gx = left + g * groupW + (groupW - barW * rows.size()) / 2;
      for (int i = 0; i < rows.size(); i++) {
        EvaluationReport.Row r = rows.get(i).getValue();
        Double v = r.f1PerType().get(t);
        if (v == null) continue;
        double x = gx + i * barW;
        bar(sb, x, barW - 2, plotTop, plotH, v, r.ci95().get(UserTally.f1Key(t)), color(i));
      }
      sb.add(text(left + g * groupW + groupW / 2, plotTop + plotH + 16, 12, "normal", t.wire(), "middle"));
    }
    int y = plotTop + plotH + 30;
    return legend(sb, rows.stream().map(e -> e.getValue().title()).toList(), y);
  }

  /** Observed frequency against mean predicted probability per bin, for the model and the best log-loss baseline. */
  private static int reliabilityPanel(EvaluationReport report, List<Mark> sb, int top) {
    List<String> keys = new ArrayList<>();
    if (report.rows().containsKey("model") && !report.rows().get("model").reliability().isEmpty()) keys.add("model");
    String best = null;
    double bestLoss = Double.POSITIVE_INFINITY;
    for (Map.Entry<String, EvaluationReport.Row> e : report.rows().entrySet()) {
      Double ll = e.getValue().metrics().logLoss();
      if (e.getValue().isBaseline() && ll != null && ll < bestLoss && !e.getValue().reliability().isEmpty()) {
        bestLoss = ll;
        best = e.getKey();
      }
    }
    if (best != null) keys.add(best);
    if (keys.isEmpty()) return top;
    sb.add(text(20, top + 14, 14, "bold", "Reliability of next-behavior probabilities (one-vs-rest, 10 bins)"));
    int plotTop = top + 30;
    int size = 260;
    int left = 60;
    axisY(sb, left, plotTop, size, size, 1.0);
    for (int i = 0; i <= 5; i++) {
      double v = i / 5.0;
      double x = left + v * size;
      sb.add(new Line(x, plotTop + size, x, plotTop + size + 4, "#333", false));
      sb.add(text(x, plotTop + size + 16, 10, "normal", String.format(Locale.ROOT, "%.1f", v), "middle"));
    }
    sb.add(text(left + size / 2.0, plotTop + size + 30, 11, "normal", "mean predicted probability", "middle"));
    sb.add(new Line(left, plotTop + size, left + size, plotTop, "#999", true));
    List<String> titles = new ArrayList<>();
    for (int k = 0; k < keys.size(); k++) {
      EvaluationReport.Row r = report.rows().get(keys.get(k));
      titles.add(r.title());
      List<ReliabilityCurve.Bin> bins = r.reliability();
      double[] xs = new double[bins.size()];
      double[] ys = new double[bins.size()];
      for (int i = 0; i < bins.size(); i++) {
        ReliabilityCurve.Bin b = bins.get(i);
        xs[i] = left + b.meanPredicted() * size;
        ys[i] = plotTop + size - b.observedFrequency() * size;
        sb.add(new Circle(xs[i], ys[i], 3, color(k), String.format(Locale.ROOT, "%s: predicted %.3f, observed %.3f, n=%d", r.title(),
            b.meanPredicted(), b.observedFrequency(), b.count())));
      }
      sb.add(new Polyline(xs, ys, color(k), 2));
    }
    int ly = plotTop + 10;
    for (int k = 0; k < titles.size(); k++, ly += 18) {
      sb.add(new Rect(left + size + 30, ly, 12, 12, color(k), null));
      sb.add(text(left + size + 48, ly + 10, 12, "normal", titles.get(k)));
    }
    sb.add(text(left + size + 30, ly + 14, 11, "normal", "dashed: perfect calibration"));
    return plotTop + size + 50;
  }

  /** Horizontal bars: Hit@10 and Recall@10 of every row with a category head. */
  private static int categoryPanel(EvaluationReport report, List<Mark> sb, int top) {
    List<EvaluationReport.Row> rows = report.rows().values().stream().filter(r -> r.metrics().categoryHitRateAt10() != null).toList();
    if (rows.isEmpty()) return top;
    sb.add(text(20, top + 14, 14, "bold", "Next category, top 10 (held out): Hit@10 per event, Recall@10 per user"));
    int labelW = 360;
    int left = 20 + labelW;
    int plotW = WIDTH - left - 40;
    int rowH = 30;
    int plotTop = top + 30;
    int plotH = rows.size() * rowH;
    for (int i = 0; i <= 5; i++) {
      double v = i / 5.0;
      double x = left + v * plotW;
      sb.add(new Line(x, plotTop, x, plotTop + plotH, "#ddd", false));
      sb.add(text(x, plotTop + plotH + 14, 10, "normal", String.format(Locale.ROOT, "%.1f", v), "middle"));
    }
    for (int i = 0; i < rows.size(); i++) {
      EvaluationReport.Row r = rows.get(i);
      int y = plotTop + i * rowH;
      sb.add(text(left - 8, y + 19, 11, "normal", r.title(), "end"));
      hbar(sb, left, plotW, y + 3, 11, r.metrics().categoryHitRateAt10(), r.ci95().get(UserTally.HIT_RATE), color(0));
      Double rec = r.metrics().categoryRecallAt10();
      if (rec != null) hbar(sb, left, plotW, y + 15, 11, rec, r.ci95().get(UserTally.RECALL), color(1));
    }
    return legend(sb, List.of("Hit@10", "Recall@10"), plotTop + plotH + 24);
  }

  private static void axisY(List<Mark> sb, int left, int top, int w, int h, double max) {
    for (int i = 0; i <= 5; i++) {
      double v = max * i / 5;
      double y = top + h - h * v / max;
      sb.add(new Line(left, y, left + w, y, "#ddd", false));
      sb.add(text(left - 6, y + 4, 10, "normal", String.format(Locale.ROOT, "%.1f", v), "end"));
    }
    sb.add(new Line(left, top, left, top + h, "#333", false));
    sb.add(new Line(left, top + h, left + w, top + h, "#333", false));
  }

  private static void bar(List<Mark> sb, double x, double w, int top, int h, double v, Bootstrap.Interval ci, String color) {
    double y = top + h - h * clamp(v);
    sb.add(new Rect(x, y, Math.max(1, w), top + h - y, color, String.format(Locale.ROOT, "%.4f", v)));
    if (ci != null && !Double.isNaN(ci.lo())) {
      double cx = x + w / 2;
      double lo = top + h - h * clamp(ci.lo());
      double hi = top + h - h * clamp(ci.hi());
      sb.add(new Line(cx, lo, cx, hi, "#000000", false));
      sb.add(new Line(cx - 3, lo, cx + 3, lo, "#000000", false));
      sb.add(new Line(cx - 3, hi, cx + 3, hi, "#000000", false));
    }
  }

  private static void hbar(List<Mark> sb, int left, int w, int y, int h, double v, Bootstrap.Interval ci, String color) {
    sb.add(new Rect(left, y, w * clamp(v), h, color, String.format(Locale.ROOT, "%.4f", v)));
    if (ci != null && !Double.isNaN(ci.lo())) {
      double lo = left + w * clamp(ci.lo());
      double hi = left + w * clamp(ci.hi());
      double cy = y + h / 2.0;
      sb.add(new Line(lo, cy, hi, cy, "#000000", false));
      sb.add(new Line(lo, cy - 3, lo, cy + 3, "#000000", false));
      sb.add(new Line(hi, cy - 3, hi, cy + 3, "#000000", false));
    }
    double end = ci != null && !Double.isNaN(ci.hi()) ? Math.max(clamp(v), clamp(ci.hi())) : clamp(v);
    sb.add(text(left + w * end + 6, y + h - 1, 9, "normal", String.format(Locale.ROOT, "%.3f", v)));
  }

  private static int legend(List<Mark> sb, List<String> titles, int top) {
    int x = 60;
    int y = top;
    for (int i = 0; i < titles.size(); i++) {
      int w = 28 + 6 * titles.get(i).length();
      if (x + w > WIDTH - 20) {
        x = 60;
        y += 18;
      }
      sb.add(new Rect(x, y, 12, 12, color(i), null));
      sb.add(text(x + 16, y + 10, 11, "normal", titles.get(i)));
      x += w;
    }
    return y + 36;
  }

  private static Text text(double x, double y, int size, String weight, String s) {
    return text(x, y, size, weight, s, "start");
  }

  private static Text text(double x, double y, int size, String weight, String s, String anchor) {
    return new Text(x, y, size, weight.equals("bold"), s == null ? "" : s, Anchor.valueOf(anchor.toUpperCase(Locale.ROOT)));
  }

  private static String color(int i) {
    return PALETTE[i % PALETTE.length];
  }

  private static double clamp(double v) {
    return Double.isNaN(v) ? 0 : Math.max(0, Math.min(1, v));
  }

  /** XML text and attribute escaping; characters XML 1.0 forbids are dropped. */
  public static String escape(String s) {
    if (s == null) return "";
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> sb.append("&amp;");
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&apos;");
        default -> {
          if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') {
            if (c != 0xFFFE && c != 0xFFFF) sb.append(c);
          }
        }
      }
    }
    return sb.toString();
  }
}
