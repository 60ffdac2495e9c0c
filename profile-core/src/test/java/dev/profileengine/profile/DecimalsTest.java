package dev.profileengine.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DecimalsTest {
  @Test
  void writesWhatFormatWrites() {
    SplittableRandom random = new SplittableRandom(7);
    double[] edges = {0.0, -0.0, 0.05, 0.15, 0.25, 1.05, 2.675, 0.125, 9.95, 99.5, -1.25, 1e-9, 123456.785,
        Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, 1e17};
    for (int places = 0; places <= 3; places++) {
      for (double v : edges) check(v, places);
      for (int i = 0; i < 20_000; i++) {
        // values like the churn reasons': days, ratios, percentages and probabilities, some on a half
        double v = i % 3 == 0 ? random.nextInt(200_000) / 1000.0 + 0.0005 : random.nextDouble() * Math.pow(10, random.nextInt(6)) - 5;
        check(v, places);
      }
    }
  }

  private static void check(double v, int places) {
    assertEquals(String.format(Locale.ROOT, "%." + places + "f", v), Decimals.fixed(v, places), () -> v + " to " + places + " places");
  }
}
