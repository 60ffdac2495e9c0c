package dev.profileengine.bench.charts;

/** A chart that renders itself as a standalone SVG document. */
public sealed interface Chart permits BarChart, LineChart {
  String title();

  String svg();
}
