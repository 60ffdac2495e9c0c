package dev.profileengine.profile;

import static dev.profileengine.profile.Events.T0;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WindowCountsTest {
  private static final ProfileSettings S = ProfileSettings.defaults();

  private static long views(ProfileState s, String window) {
    Map<String, Map<String, Long>> counts = s.view(null, S).counts();
    return counts.get(window).get("view");
  }

  @Test
  void oneHourWindowIsAlignedToMinuteBuckets() {
    // 10:00:00.000 is the first millisecond of its minute bucket; 11:00:59.999 sits in the bucket
    // 11:00, so the 1h window ending there covers buckets 10:01 .. 11:00 and excludes 10:00.
    ProfileState s = Events.fold(S,
        Events.view("a", T0, "c"),
        Events.view("b", T0.plusSeconds(60), "c"),
        Events.view("c", T0.plus(Duration.ofMinutes(60)).plusMillis(59_999), "c"));
    assertEquals(2, views(s, "1h"));
    assertEquals(3, views(s, "24h"));
    assertEquals(3, views(s, "lifetime"));
  }

  @Test
  void lastMillisecondOfABucketStillCounts() {
    ProfileState s = Events.fold(S,
        Events.view("a", T0.minusMillis(1), "c"), // 09:59:59.999, bucket 09:59
        Events.view("b", T0.plus(Duration.ofMinutes(58)).plusSeconds(59), "c")); // bucket 10:58
    // window ending in bucket 10:58 covers 09:59 .. 10:58
    assertEquals(2, views(s, "1h"));
  }

  @Test
  void windowsSlideWithEventTimeNotArrivalTime() {
    ProfileState s = Events.fold(S,
        Events.view("a", T0, "c"),
        Events.view("b", T0.plus(Duration.ofDays(2)), "c"),
        Events.view("c", T0.plus(Duration.ofDays(10)), "c"),
        Events.view("d", T0.plus(Duration.ofDays(40)), "c"));
    assertEquals(1, views(s, "1h"));
    assertEquals(1, views(s, "24h"));
    assertEquals(1, views(s, "7d"));
    assertEquals(1, views(s, "30d")); // day 40 only: days 10 and 2 are outside 30 day buckets
    assertEquals(4, views(s, "lifetime"));
    // read as of an earlier instant: the kept day buckets still answer for the 30d window
    assertEquals(0, s.view(T0.plus(Duration.ofDays(80)), S).counts().get("30d").get("view"));
  }

  @Test
  void countsAreKeptPerBehaviorType() {
    ProfileState s = Events.fold(S,
        Events.view("a", T0, "c"),
        Events.event("b", BehaviorType.CART, T0.plusSeconds(5)),
        Events.purchase("c", T0.plusSeconds(9), 10, 1));
    Map<String, Long> h1 = s.view(null, S).counts().get("1h");
    assertEquals(1, h1.get("view"));
    assertEquals(1, h1.get("cart"));
    assertEquals(1, h1.get("purchase"));
    assertEquals(0, h1.get("favorite"));
    assertEquals(6, h1.size(), "every behavior type is reported, zero or not");
  }

  @Test
  void seriesShareEqualCountsWithoutChangingAnyCount() {
    long t = T0.toEpochMilli();
    WindowCounts one = WindowCounts.empty().add(BehaviorType.VIEW, t, t);
    assertSame(one.minutes().counts(), one.hours().counts(), "one event: every series counts the same");
    assertSame(one.minutes().counts(), one.days().counts());
    // Another minute of the same hour: the hour and day series still agree, the minutes differ.
    WindowCounts two = one.add(BehaviorType.CART, t + 120_000, t + 120_000);
    assertSame(two.hours().counts(), two.days().counts());
    assertArrayEquals(new int[] {1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0}, two.minutes().counts());
    assertArrayEquals(new int[] {1, 0, 0, 1, 0, 0}, two.hours().counts());
    // The earlier state is unchanged by the later add.
    assertArrayEquals(new int[] {1, 0, 0, 0, 0, 0}, one.minutes().counts());
    assertArrayEquals(new long[] {1, 0, 0, 0, 0, 0}, one.count(WindowCounts.Window.D30, t));
    assertArrayEquals(new long[] {1, 0, 0, 1, 0, 0}, two.count(WindowCounts.Window.H1, t + 120_000));
    assertArrayEquals(new long[] {1, 0, 0, 1, 0, 0}, two.count(WindowCounts.Window.D7, t + 120_000));
    // A series read back (a snapshot) shares as well.
    WindowCounts read = new WindowCounts(one.lifetime(), one.minutes(), new BucketSeries(3_600_000, 24, one.hours().starts(),
        one.hours().counts().clone()), one.days());
    assertSame(read.minutes().counts(), read.hours().counts());
  }

  @Test
  void profilesShareSmallCountsWithoutChangingAnyCount() {
    long t = T0.toEpochMilli();
    WindowCounts a = WindowCounts.empty().add(BehaviorType.VIEW, t, t);
    WindowCounts b = WindowCounts.empty().add(BehaviorType.VIEW, t + 86_400_000L, t + 86_400_000L); // another user, another day
    assertSame(a.lifetime(), b.lifetime());
    assertSame(a.days().counts(), b.days().counts());
    WindowCounts sameHour = WindowCounts.empty().add(BehaviorType.CART, t + 600_000, t + 600_000);
    assertSame(a.hours().starts(), sameHour.hours().starts(), "profiles active in the same hour share its start");
    assertArrayEquals(new long[] {t}, sameHour.hours().starts());
    assertArrayEquals(new long[] {t + 600_000}, sameHour.minutes().starts());
    // Counting on in one profile leaves the other's counts as they were.
    WindowCounts a2 = a.add(BehaviorType.VIEW, t + 1, t + 1).add(BehaviorType.CART, t + 2, t + 2);
    assertArrayEquals(new long[] {2, 0, 0, 1, 0, 0}, a2.lifetime());
    assertArrayEquals(new int[] {2, 0, 0, 1, 0, 0}, a2.minutes().counts());
    assertArrayEquals(new long[] {1, 0, 0, 0, 0, 0}, b.lifetime());
    assertArrayEquals(new int[] {1, 0, 0, 0, 0, 0}, b.minutes().counts());
    assertArrayEquals(new long[] {1, 0, 0, 0, 0, 0}, a.lifetime());
    // Beyond the small counts each profile keeps its own, counted exactly.
    WindowCounts many = a2;
    for (int i = 0; i < 5; i++) many = many.add(BehaviorType.VIEW, t + 3 + i, t + 3 + i);
    assertArrayEquals(new long[] {7, 0, 0, 1, 0, 0}, many.lifetime());
    assertArrayEquals(new long[] {7, 0, 0, 1, 0, 0}, many.count(WindowCounts.Window.H1, t + 7));
    assertArrayEquals(new long[] {2, 0, 0, 1, 0, 0}, a2.count(WindowCounts.Window.D30, t + 2));
  }

  @Test
  void bucketSeriesDropsBucketsOutsideItsRetention() {
    BucketSeries minutes = BucketSeries.empty(60_000, 60);
    long t = T0.toEpochMilli();
    for (int i = 0; i < 500; i++) minutes = minutes.add(BehaviorType.VIEW, t + i * 60_000L, t + i * 60_000L);
    assertEquals(60, minutes.size());
  }
}
