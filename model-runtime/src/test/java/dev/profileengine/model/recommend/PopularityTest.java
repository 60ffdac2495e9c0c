package dev.profileengine.model.recommend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.profileengine.model.ModelLoadException;
import dev.profileengine.model.TestData;
import dev.profileengine.profile.BehaviorType;
import dev.profileengine.profile.RecentBehavior;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PopularityTest {
  @TempDir Path dir;

  private static RecentBehavior v(String cat) {
    return TestData.b(BehaviorType.VIEW, cat, 1);
  }

  @Test
  void fitCountsSharesOfAllCategorizedEventsAndKeepsTheTop() {
    List<List<RecentBehavior>> history = List.of(
        List.of(v("a"), v("b"), v("a"), v(null)),
        List.of(v("c"), v("b"), v("a"), v("d")));
    Popularity p = Popularity.fit(history, 3, "f.csv", "abc", "history");
    assertEquals(7, p.events());
    // a 3/7, b 2/7, then c and d 1/7 each: c by id
    assertEquals(List.of(new Popularity.Share("a", 3 / 7.0), new Popularity.Share("b", 2 / 7.0), new Popularity.Share("c", 1 / 7.0)),
        p.categories());
    assertEquals(List.of("a", "b"), p.top(2));
    assertEquals(List.of("a", "b", "c"), List.copyOf(p.shares().keySet()));
  }

  @Test
  void jsonRoundTrip() throws Exception {
    Popularity p = Popularity.fit(List.of(List.of(v("x"), v("y"), v("x"))), 200, "data.csv", "f00d", "history part: first 80%");
    Path f = dir.resolve("v1").resolve(Popularity.FILE);
    p.write(f);
    assertTrue(Files.readString(f).contains("\"sourceSha256\" : \"f00d\""));
    Popularity back = Popularity.read(f);
    assertEquals(p, back);
    assertEquals(2 / 3.0, back.shares().get("x"), 1e-15);
    assertEquals(p, Popularity.readOrEmpty(f.getParent()));
  }

  @Test
  void absentIsEmptyAndCorruptFails() throws Exception {
    assertSame(Popularity.empty(), Popularity.readOrEmpty(dir));
    assertTrue(Popularity.empty().isEmpty());
    assertTrue(Popularity.empty().shares().isEmpty());
    Files.writeString(dir.resolve(Popularity.FILE), "{not json");
    assertThrows(ModelLoadException.class, () -> Popularity.readOrEmpty(dir));
  }
}
