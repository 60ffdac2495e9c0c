package dev.profileengine.bench.charts;

import java.util.Comparator;
import java.util.List;

/**
 * Lines through measured points, both axes from 0: each series' points joined in x order, each
 * point marked and labelled with its value, with dashed target lines across.
 */
public record LineChart(String title, String xLabel, String yLabel, List<Series> series, List<Target> targets, String caption)
    implements Chart {

  public record Point(double x, double y) {}

  public record Series(String name, List<Point> points) {
    public Series {
      points = points.stream().sorted(Comparator.comparingDouble(Point::x)).toList();
      if (points.isEmpty()) throw new IllegalArgumentException("series '" + name + "' has no points");
    }
  }

  public LineChart {
    series = List.copyOf(series);
    targets = List.copyOf(targets);
    if (series.isEmpty()) throw new IllegalArgumentException(title + ": no series");
  }

  @Override
  public String svg() {
    double maxX = 0;
    double maxY = 0;
    for (Series s : series) {
      for (Point p : s.points()) {
        maxX = Math.max(maxX, p.x());
        maxY = Math.max(maxY, p.y());
      }
    }
    for (Target t : targets) maxY = Math.max(maxY, t.value());
    Scale xScale = Scale.covering(maxX * 1.05);
    ChartFrame frame = new ChartFrame(series.size() > 1 ? series.stream().map(Series::name).toList() : List.of(),
        targets.stream().map(Target::label).toList(), 2, maxY * 1.15, caption);
    Svg svg = new Svg(ChartFrame.WIDTH, ChartFrame.HEIGHT, title);
    frame.drawBackground(svg, title, yLabel);
    for (double tick : xScale.ticks()) {
      double x = frame.left + tick / xScale.max() * (frame.right - frame.left);
      svg.line(x, frame.bottom, x, frame.bottom + 4, "#555555", 1, null);
      svg.text(x, frame.belowLine(0), NumberText.of(tick), "middle", 11, "#333333", false, 0, false);
    }
    svg.text((frame.left + frame.right) / 2, frame.belowLine(1) + 4, xLabel, "middle", 12, "#222222", false, 0, false);
    for (Target t : targets) frame.drawTarget(svg, t, frame.left, frame.right, false);
    for (int s = 0; s < series.size(); s++) {
      Series line = series.get(s);
      String colour = ChartFrame.PALETTE.get(s % ChartFrame.PALETTE.size());
      double[] xs = new double[line.points().size()];
      double[] ys = new double[xs.length];
      for (int i = 0; i < xs.length; i++) {
        Point p = line.points().get(i);
        xs[i] = frame.left + p.x() / xScale.max() * (frame.right - frame.left);
        ys[i] = frame.y(p.y());
      }
      if (xs.length > 1) svg.polyline(xs, ys, colour, 2);
      for (int i = 0; i < xs.length; i++) {
        Point p = line.points().get(i);
        svg.circle(xs[i], ys[i], 4, colour, line.name() + " at " + NumberText.of(p.x()) + " " + xLabel + ": " + NumberText.of(p.y()) + " " + yLabel,
            "class", "point", "data-series", line.name(), "data-x", NumberText.plain(p.x()), "data-y", NumberText.plain(p.y()));
        svg.text(xs[i] + 7, ys[i] - 6, NumberText.of(p.y()), "start", 10, "#222222", false, 0, true);
      }
    }
    frame.drawCaption(svg);
    return svg.finish();
  }
}
