package dev.profileengine.bench.charts;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Grouped bars from 0: one group per label in {@code groups}, one bar per {@code series} in each
 * ({@code values[group][series]}, NaN where a figure is missing), each bar labelled with its value,
 * and dashed target lines. Bar heights are proportional to the values.
 */
public record BarChart(String title, String yLabel, List<String> groups, List<String> series, double[][] values,
    List<Target> targets, String caption) implements Chart {

  public BarChart {
    groups = List.copyOf(groups);
    series = List.copyOf(series);
    targets = List.copyOf(targets);
    if (groups.isEmpty() || series.isEmpty()) throw new IllegalArgumentException(title + ": no groups or no series");
    if (values.length != groups.size()) throw new IllegalArgumentException(title + ": " + values.length + " rows of values for " + groups.size() + " groups");
    double[][] copy = new double[values.length][];
    for (int g = 0; g < values.length; g++) {
      if (values[g].length != series.size()) {
        throw new IllegalArgumentException(title + ": group '" + groups.get(g) + "' has " + values[g].length + " values for " + series.size() + " series");
      }
      copy[g] = values[g].clone();
    }
    values = copy;
    for (Target t : targets) {
      if (t.group() != Target.ALL && (t.group() < 0 || t.group() >= groups.size())) {
        throw new IllegalArgumentException(title + ": target '" + t.label() + "' names group " + t.group());
      }
    }
  }

  @Override
  public double[][] values() {
    return Arrays.stream(values).map(double[]::clone).toArray(double[][]::new);
  }

  @Override
  public String svg() {
    int groupCount = groups.size();
    int seriesCount = series.size();
    double max = 0;
    for (double[] row : values) {
      for (double v : row) if (!Double.isNaN(v)) max = Math.max(max, v);
    }
    for (Target t : targets) max = Math.max(max, t.value());

    double plotWidth = ChartFrame.RIGHT - ChartFrame.LEFT;
    double groupWidth = plotWidth / groupCount;
    double barWidth = Math.min(64, groupWidth * 0.8 / seriesCount);
    boolean upright = false;
    for (double[] row : values) {
      for (double v : row) if (NumberText.width(NumberText.of(v), 10) > barWidth + 2) upright = true;
    }
    // A group's label: its first line (wrapped, bold) names the group, the lines after it qualify it.
    int wrapAt = Math.max(8, (int) ((groupWidth - 12) / (11 * 0.62)));
    List<List<String>> heads = new ArrayList<>();
    List<List<String>> labels = new ArrayList<>();
    for (String g : groups) {
      int cut = g.indexOf('\n');
      List<String> head = NumberText.wrap(cut < 0 ? g : g.substring(0, cut), wrapAt);
      List<String> lines = new ArrayList<>(head);
      if (cut >= 0) lines.addAll(NumberText.wrap(g.substring(cut + 1), wrapAt));
      heads.add(head);
      labels.add(lines);
    }
    int labelLines = labels.stream().mapToInt(List::size).max().orElse(1);

    List<String> targetLegend = targets.stream().filter(t -> t.group() == Target.ALL).map(Target::label).toList();
    ChartFrame frame = new ChartFrame(seriesCount > 1 ? series : List.of(), targetLegend, labelLines, max * (upright ? 1.22 : 1.1), caption);
    Svg svg = new Svg(ChartFrame.WIDTH, ChartFrame.HEIGHT, title);
    frame.drawBackground(svg, title, yLabel);
    // Value labels go on last, over the target lines, so a line never hides a figure.
    List<Runnable> valueLabels = new ArrayList<>();
    for (int g = 0; g < groupCount; g++) {
      double groupLeft = frame.left + g * groupWidth;
      double x0 = groupLeft + (groupWidth - seriesCount * barWidth) / 2;
      for (int s = 0; s < seriesCount; s++) {
        double v = values[g][s];
        double centre = x0 + (s + 0.5) * barWidth;
        if (Double.isNaN(v)) {
          svg.text(centre, frame.bottom - 4, "n/a", "middle", 9, "#777777", false, 0, false);
          continue;
        }
        double y = frame.y(v);
        String text = NumberText.of(v);
        svg.rect(x0 + s * barWidth + 1, y, barWidth - 2, frame.bottom - y, ChartFrame.PALETTE.get(s % ChartFrame.PALETTE.size()),
            groups.get(g).replace('\n', ' ') + ", " + series.get(s) + ": " + text + " " + yLabel,
            "class", "bar", "data-group", groups.get(g).replace('\n', ' '), "data-series", series.get(s), "data-value", NumberText.plain(v));
        if (upright) {
          valueLabels.add(() -> svg.text(centre + 3.5, y - 4, text, "start", 10, "#222222", false, -90, true));
        } else {
          valueLabels.add(() -> svg.text(centre, y - 4, text, "middle", 10, "#222222", false, 0, true));
        }
      }
      List<String> lines = labels.get(g);
      for (int i = 0; i < lines.size(); i++) {
        svg.text(groupLeft + groupWidth / 2, frame.belowLine(i), lines.get(i), "middle", 11, "#222222", i < heads.get(g).size(), 0, false);
      }
    }
    for (Target t : targets) {
      if (t.group() == Target.ALL) {
        frame.drawTarget(svg, t, frame.left, frame.right, false);
      } else {
        double groupLeft = frame.left + t.group() * groupWidth;
        frame.drawTarget(svg, t, groupLeft + 4, groupLeft + groupWidth - 4, true);
      }
    }
    valueLabels.forEach(Runnable::run);
    frame.drawCaption(svg);
    return svg.finish();
  }
}
