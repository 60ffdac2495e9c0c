package dev.profileengine.bench.charts;

import java.util.ArrayList;
import java.util.List;

/** A value axis from 0 to {@code max} in round steps of {@code step} (1, 2, 2.5 or 5 times a power of ten). */
record Scale(double max, double step) {
  /** The smallest round axis that holds {@code value}, in about five steps. */
  static Scale covering(double value) {
    if (!(value > 0) || Double.isInfinite(value)) return new Scale(1, 0.2);
    double raw = value / 5;
    double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    double r = raw / magnitude;
    double nice = r <= 1 ? 1 : r <= 2 ? 2 : r <= 2.5 ? 2.5 : r <= 5 ? 5 : 10;
    double step = nice * magnitude;
    return new Scale(Math.ceil(value / step - 1e-9) * step, step);
  }

  List<Double> ticks() {
    List<Double> ticks = new ArrayList<>();
    for (int i = 0; i * step <= max + step * 1e-6; i++) ticks.add(i * step);
    return ticks;
  }
}
