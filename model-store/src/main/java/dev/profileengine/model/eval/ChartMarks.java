package dev.profileengine.model.eval;

import java.util.List;

/**
 * A chart as a list of plain marks on a fixed-size page, laid out once and then written as SVG
 * text ({@link SvgChart}) or drawn into a PNG ({@link PngChart}), so both formats show the same
 * picture. Colours are {@code #rrggbb}; coordinates are pixels from the top left.
 */
public final class ChartMarks {
  private ChartMarks() {}

  public enum Anchor {
    START, MIDDLE, END
  }

  public sealed interface Mark permits Text, Line, Rect, Circle, Polyline {}

  public record Text(double x, double y, int size, boolean bold, String text, Anchor anchor) implements Mark {}

  public record Line(double x1, double y1, double x2, double y2, String color, boolean dashed) implements Mark {}

  /** A filled rectangle; {@code title} (may be null) is its tooltip in SVG. */
  public record Rect(double x, double y, double width, double height, String fill, String title) implements Mark {}

  public record Circle(double cx, double cy, double r, String fill, String title) implements Mark {}

  public record Polyline(double[] xs, double[] ys, String color, float width) implements Mark {}

  /** The page: its size and its marks in drawing order (the first is the white background). */
  public record Page(int width, int height, List<Mark> marks) {}
}
