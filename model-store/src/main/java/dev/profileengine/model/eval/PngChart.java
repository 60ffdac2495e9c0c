package dev.profileengine.model.eval;

import dev.profileengine.model.ModelStoreException;
import dev.profileengine.model.eval.ChartMarks.Circle;
import dev.profileengine.model.eval.ChartMarks.Line;
import dev.profileengine.model.eval.ChartMarks.Mark;
import dev.profileengine.model.eval.ChartMarks.Page;
import dev.profileengine.model.eval.ChartMarks.Polyline;
import dev.profileengine.model.eval.ChartMarks.Rect;
import dev.profileengine.model.eval.ChartMarks.Text;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * The {@link SvgChart} layout drawn with Java2D into a PNG, headless (no display, no dependency
 * beyond the JDK), at the SVG's size in pixels; tooltips have no place in a picture and are dropped.
 */
public final class PngChart {
  private static final BasicStroke DASHED = new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 3f}, 0f);
  private static final BasicStroke THIN = new BasicStroke(1f);

  private PngChart() {}

  public static BufferedImage render(EvaluationReport report) {
    return draw(SvgChart.layout(report));
  }

  /** Writes the report's chart as a PNG file. */
  public static void write(EvaluationReport report, Path file) {
    try {
      if (!ImageIO.write(render(report), "png", file.toFile())) throw new IOException("no PNG writer in this JDK");
    } catch (IOException e) {
      throw new ModelStoreException("cannot write chart " + file + ": " + e.getMessage(), e);
    }
  }

  static BufferedImage draw(Page page) {
    // A CLI on a server has no display; Java2D draws into memory without one.
    if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    BufferedImage image = new BufferedImage(page.width(), page.height(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(0, 0, page.width(), page.height());
      for (Mark m : page.marks()) draw(g, m);
    } finally {
      g.dispose();
    }
    return image;
  }

  private static void draw(Graphics2D g, Mark mark) {
    if (mark instanceof Text t) {
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, t.bold() ? Font.BOLD : Font.PLAIN, t.size()));
      FontMetrics fm = g.getFontMetrics();
      double width = fm.stringWidth(t.text());
      double x = switch (t.anchor()) {
        case START -> t.x();
        case MIDDLE -> t.x() - width / 2;
        case END -> t.x() - width;
      };
      g.drawString(t.text(), (float) x, (float) t.y());
    } else if (mark instanceof Line l) {
      g.setColor(color(l.color()));
      g.setStroke(l.dashed() ? DASHED : THIN);
      g.draw(new Line2D.Double(l.x1(), l.y1(), l.x2(), l.y2()));
    } else if (mark instanceof Rect r) {
      g.setColor(color(r.fill()));
      g.fill(new Rectangle2D.Double(r.x(), r.y(), r.width(), r.height()));
    } else if (mark instanceof Circle c) {
      g.setColor(color(c.fill()));
      g.fill(new Ellipse2D.Double(c.cx() - c.r(), c.cy() - c.r(), 2 * c.r(), 2 * c.r()));
    } else if (mark instanceof Polyline p && p.xs().length > 0) {
      Path2D.Double path = new Path2D.Double();
      path.moveTo(p.xs()[0], p.ys()[0]);
      for (int i = 1; i < p.xs().length; i++) path.lineTo(p.xs()[i], p.ys()[i]);
      g.setColor(color(p.color()));
      g.setStroke(new BasicStroke(p.width()));
      g.draw(path);
    }
  }

  /** {@code #rrggbb} or {@code #rgb}. */
  static Color color(String hex) {
    String h = hex.startsWith("#") ? hex.substring(1) : hex;
    if (h.length() == 3) h = "" + h.charAt(0) + h.charAt(0) + h.charAt(1) + h.charAt(1) + h.charAt(2) + h.charAt(2);
    return new Color(Integer.parseInt(h, 16));
  }
}
