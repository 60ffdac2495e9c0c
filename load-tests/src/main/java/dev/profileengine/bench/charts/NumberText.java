package dev.profileengine.bench.charts;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Numbers and labels as a report writes them: thousands separated, no more decimals than the figure needs. */
final class NumberText {
  private NumberText() {}

  static String of(double v) {
    if (Double.isNaN(v)) return "n/a";
    if (v == Math.rint(v) && Math.abs(v) < 1e15) return String.format(Locale.ROOT, "%,d", (long) v);
    double a = Math.abs(v);
    String s = a >= 100 ? String.format(Locale.ROOT, "%,.0f", v)
        : a >= 10 ? String.format(Locale.ROOT, "%,.1f", v)
        : String.format(Locale.ROOT, "%.2f", v);
    if (s.contains(".")) {
      s = s.replaceAll("0+$", "");
      if (s.endsWith(".")) s = s.substring(0, s.length() - 1);
    }
    return s;
  }

  /** The exact value without exponent or trailing zeros, for data attributes. */
  static String plain(double v) {
    return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
  }

  /** Lines of at most about {@code width} characters: explicit line breaks kept, then words wrapped. */
  static List<String> wrap(String text, int width) {
    List<String> lines = new ArrayList<>();
    for (String part : text.split("\n", -1)) {
      StringBuilder line = new StringBuilder();
      for (String word : part.strip().split("\\s+")) {
        if (line.length() > 0 && line.length() + 1 + word.length() > width) {
          lines.add(line.toString());
          line.setLength(0);
        }
        if (line.length() > 0) line.append(' ');
        line.append(word);
      }
      lines.add(line.toString());
    }
    return lines;
  }

  /** Roughly how wide {@code text} is drawn at {@code size} px in a sans-serif font. */
  static double width(String text, double size) {
    return text.length() * size * 0.56;
  }
}
