package dev.profileengine.bench.charts;

import java.util.Locale;

/**
 * A small SVG writer: every text and attribute value goes through {@link #escape}, so labels taken
 * from a results file cannot break the document. Presentation is in attributes, not CSS, so any
 * renderer (a browser, GitHub's image view, an XML tool) draws the same picture.
 */
final class Svg {
  static final String FONT = "DejaVu Sans, Arial, Helvetica, sans-serif";
  private final StringBuilder out = new StringBuilder();

  Svg(int width, int height, String title) {
    out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"").append(height)
        .append("\" viewBox=\"0 0 ").append(width).append(' ').append(height).append("\" role=\"img\" aria-label=\"")
        .append(escape(title)).append("\" font-family=\"").append(FONT).append("\">\n")
        .append("<title>").append(escape(title)).append("</title>\n")
        .append("<rect x=\"0\" y=\"0\" width=\"").append(width).append("\" height=\"").append(height).append("\" fill=\"#ffffff\"/>\n");
  }

  /** XML-escapes text for both element content and attribute values; drops characters XML 1.0 forbids. */
  static String escape(String s) {
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&apos;");
        default -> {
          if (c >= 0x20 || c == '\t') b.append(c);
          else if (c == '\n' || c == '\r') b.append(' ');
        }
      }
    }
    return b.toString();
  }

  static String num(double v) {
    String s = String.format(Locale.ROOT, "%.2f", v);
    if (s.endsWith(".00")) return s.substring(0, s.length() - 3);
    return s.endsWith("0") ? s.substring(0, s.length() - 1) : s;
  }

  /** A bar or box; {@code tooltip} (may be null) becomes its {@code <title>}. Extra attributes come as name, value pairs. */
  Svg rect(double x, double y, double w, double h, String fill, String tooltip, String... attributes) {
    out.append("<rect x=\"").append(num(x)).append("\" y=\"").append(num(y)).append("\" width=\"").append(num(w))
        .append("\" height=\"").append(num(h)).append("\" fill=\"").append(escape(fill)).append('"');
    attributes(attributes);
    if (tooltip == null) {
      out.append("/>\n");
    } else {
      out.append("><title>").append(escape(tooltip)).append("</title></rect>\n");
    }
    return this;
  }

  Svg line(double x1, double y1, double x2, double y2, String stroke, double width, String dash, String... attributes) {
    out.append("<line x1=\"").append(num(x1)).append("\" y1=\"").append(num(y1)).append("\" x2=\"").append(num(x2))
        .append("\" y2=\"").append(num(y2)).append("\" stroke=\"").append(escape(stroke)).append("\" stroke-width=\"")
        .append(num(width)).append('"');
    if (dash != null) out.append(" stroke-dasharray=\"").append(escape(dash)).append('"');
    attributes(attributes);
    out.append("/>\n");
    return this;
  }

  Svg polyline(double[] xs, double[] ys, String stroke, double width) {
    out.append("<polyline fill=\"none\" stroke=\"").append(escape(stroke)).append("\" stroke-width=\"").append(num(width))
        .append("\" points=\"");
    for (int i = 0; i < xs.length; i++) {
      if (i > 0) out.append(' ');
      out.append(num(xs[i])).append(',').append(num(ys[i]));
    }
    out.append("\"/>\n");
    return this;
  }

  Svg circle(double cx, double cy, double r, String fill, String tooltip, String... attributes) {
    out.append("<circle cx=\"").append(num(cx)).append("\" cy=\"").append(num(cy)).append("\" r=\"").append(num(r))
        .append("\" fill=\"").append(escape(fill)).append('"');
    attributes(attributes);
    out.append("><title>").append(escape(tooltip)).append("</title></circle>\n");
    return this;
  }

  /**
   * One line of text. {@code anchor}: start, middle or end; {@code rotate}: degrees about (x, y);
   * a white halo keeps it readable over bars and grid lines.
   */
  Svg text(double x, double y, String text, String anchor, double size, String fill, boolean bold, double rotate, boolean halo,
      String... attributes) {
    out.append("<text x=\"").append(num(x)).append("\" y=\"").append(num(y)).append("\" text-anchor=\"").append(anchor)
        .append("\" font-size=\"").append(num(size)).append("\" fill=\"").append(escape(fill)).append('"');
    if (bold) out.append(" font-weight=\"bold\"");
    if (rotate != 0) out.append(" transform=\"rotate(").append(num(rotate)).append(' ').append(num(x)).append(' ').append(num(y)).append(")\"");
    if (halo) out.append(" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\"");
    attributes(attributes);
    out.append('>').append(escape(text)).append("</text>\n");
    return this;
  }

  private void attributes(String[] attributes) {
    if (attributes.length % 2 != 0) throw new IllegalArgumentException("attributes come as name, value pairs");
    for (int i = 0; i < attributes.length; i += 2) {
      out.append(' ').append(attributes[i]).append("=\"").append(escape(attributes[i + 1])).append('"');
    }
  }

  String finish() {
    return out + "</svg>\n";
  }
}
