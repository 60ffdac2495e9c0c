package dev.profileengine.bench.charts;

import java.util.ArrayList;
import java.util.List;

/**
 * What every chart shares: the canvas, the title, the legend, the value axis from 0, target lines
 * and the caption; the plot area is what they leave. {@code below} is the number of text lines the
 * chart puts under the plot (group or x-axis labels).
 */
final class ChartFrame {
  static final int WIDTH = 760;
  static final int HEIGHT = 440;
  /** The plot's left and right edges: room for the value axis' labels on the left. */
  static final double LEFT = 84;
  static final double RIGHT = WIDTH - 24;
  // Paul Tol's "bright" scheme, told apart with colour-blindness too; red is kept for targets.
  static final List<String> PALETTE = List.of("#4477AA", "#66CCEE", "#228833", "#CCBB44", "#AA3377", "#BBBBBB");
  static final String TARGET_COLOUR = "#B2182B";
  private static final double LINE = 13;

  final double left = LEFT;
  final double right = RIGHT;
  final double top;
  final double bottom;
  final Scale scale;
  private final List<String> legend;
  private final List<String> targetLegend;
  private final List<double[]> legendAt;
  private final List<String> caption;

  /**
   * {@code legend}: the series' names, each with its colour; {@code targetLegend}: the labels of the
   * targets drawn across the whole plot, each with a dashed swatch (in the legend rather than on the
   * plot, where a label would cover bars).
   */
  ChartFrame(List<String> legend, List<String> targetLegend, int below, double maxValue, String caption) {
    this.legend = List.copyOf(legend);
    this.targetLegend = List.copyOf(targetLegend);
    this.legendAt = new ArrayList<>();
    double x = left;
    double y = 48;
    List<String> entries = new ArrayList<>(legend);
    entries.addAll(targetLegend);
    for (String name : entries) {
      double w = 24 + NumberText.width(name, 11) + 18;
      if (x > left && x + w > right) {
        x = left;
        y += 18;
      }
      legendAt.add(new double[] {x, y});
      x += w;
    }
    this.top = (entries.isEmpty() ? 40 : y + 14) + 10;
    this.caption = NumberText.wrap(caption, 125);
    this.bottom = HEIGHT - 10 - this.caption.size() * LINE - 8 - below * LINE - 8;
    this.scale = Scale.covering(maxValue);
  }

  /** The vertical position of {@code value} on the axis. */
  double y(double value) {
    return bottom - value / scale.max() * (bottom - top);
  }

  /** The line under the plot where the {@code i}-th line (0-based) of labels sits. */
  double belowLine(int i) {
    return bottom + 16 + i * LINE;
  }

  void drawBackground(Svg svg, String title, String yLabel) {
    svg.text(WIDTH / 2.0, 26, title, "middle", 16, "#111111", true, 0, false);
    for (int i = 0; i < legend.size(); i++) {
      double[] at = legendAt.get(i);
      svg.rect(at[0], at[1] - 10, 12, 12, PALETTE.get(i % PALETTE.size()), null);
      svg.text(at[0] + 16, at[1], legend.get(i), "start", 11, "#222222", false, 0, false);
    }
    for (int i = 0; i < targetLegend.size(); i++) {
      double[] at = legendAt.get(legend.size() + i);
      svg.line(at[0], at[1] - 4, at[0] + 20, at[1] - 4, TARGET_COLOUR, 1.6, "5 3");
      svg.text(at[0] + 24, at[1], targetLegend.get(i), "start", 11, TARGET_COLOUR, true, 0, false);
    }
    for (double tick : scale.ticks()) {
      double y = y(tick);
      svg.line(left, y, right, y, tick == 0 ? "#555555" : "#e3e3e3", 1, null);
      svg.text(left - 6, y + 4, NumberText.of(tick), "end", 11, "#333333", false, 0, false);
    }
    svg.line(left, top, left, bottom, "#555555", 1, null);
    double mid = (top + bottom) / 2;
    svg.text(20, mid, yLabel, "middle", 12, "#222222", false, -90, false);
  }

  /** A dashed target line from {@code x1} to {@code x2}; {@code labelled}: with its label above its right end. */
  void drawTarget(Svg svg, Target target, double x1, double x2, boolean labelled) {
    double y = y(target.value());
    svg.line(x1, y, x2, y, TARGET_COLOUR, 1.6, "7 4", "class", "target", "data-value", NumberText.plain(target.value()));
    if (labelled) svg.text(x2 - 2, y - 5, target.label(), "end", 11, TARGET_COLOUR, true, 0, true);
  }

  void drawCaption(Svg svg) {
    for (int i = 0; i < caption.size(); i++) {
      svg.text(12, HEIGHT - 10 - (caption.size() - 1 - i) * LINE, caption.get(i), "start", 10, "#555555", false, 0, false);
    }
  }
}
