package dev.profileengine.model.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.profileengine.model.dataset.ChronologicalSplit;
import dev.profileengine.profile.RecentBehavior;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PngChartTest {
  @TempDir Path dir;

  @Test
  void thePngIsTheSvgLayoutDrawnAtItsSize() throws Exception {
    Map<String, List<RecentBehavior>> users = SyntheticUsers.users(30, 30, 5);
    EvaluationReport report = Evaluator.evaluate(SyntheticUsers.dataset(users), ChronologicalSplit.DEFAULT,
        SyntheticUsers.oracle(users, true, "model <b>x</b> & co"), new Bootstrap.Options(50, 2));
    ChartMarks.Page page = SvgChart.layout(report);
    Path file = dir.resolve("report.png");
    PngChart.write(report, file);
    BufferedImage image = ImageIO.read(file.toFile());
    assertEquals(page.width(), image.getWidth());
    assertEquals(page.height(), image.getHeight());
    assertTrue(SvgChart.render(report).contains("width=\"" + page.width() + "\" height=\"" + page.height() + "\""));
    // Drawn, not blank: the model's bars are in the first palette colour, the text black.
    int model = PngChart.color("#1f77b4").getRGB() & 0xFFFFFF;
    boolean bars = false;
    boolean dark = false;
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        int rgb = image.getRGB(x, y) & 0xFFFFFF;
        bars |= rgb == model;
        dark |= rgb == 0;
      }
    }
    assertTrue(bars && dark, "bars " + bars + ", text " + dark);
  }
}
