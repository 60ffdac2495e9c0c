package dev.profileengine.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.profileengine.profile.BehaviorEvent;
import dev.profileengine.profile.BehaviorType;
import dev.profileengine.profile.ProfileSettings;
import dev.profileengine.profile.ProfileState;
import dev.profileengine.profile.ProfileView;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The JSON a read renders of a hosted profile is kept until the profile's next write, within the
 * node's budget, and every byte kept is accounted for when it goes.
 */
class HostedProfilesTest {
  private static final ProfileSettings S = ProfileSettings.defaults();
  /** A budget no test reaches. */
  private static final long MIB = 1 << 20;
  private static final Instant T0 = Instant.parse("2017-11-25T00:00:00Z");

  private final AtomicInteger renders = new AtomicInteger();
  private final Function<ProfileView, byte[]> render = v -> {
    renders.incrementAndGet();
    return (v.userId() + ":" + v.eventCount()).getBytes(StandardCharsets.UTF_8);
  };

  private static ProfileState withEvents(String user, int n) {
    ProfileState s = ProfileState.empty(user);
    for (int i = 0; i < n; i++) s = s.apply(BehaviorEvent.of(user + "-e" + i, user, BehaviorType.VIEW, T0.plusSeconds(i)).withCategory("i" + i, "c1"), S);
    return s;
  }

  @Test
  void aReadRendersOncePerWrittenState() {
    HostedProfiles hosted = new HostedProfiles();
    assertNull(hosted.latestJson("u", S, MIB, render), "not hosted: the entity answers");
    hosted.publish("u", withEvents("u", 1));
    byte[] first = hosted.latestJson("u", S, MIB, render);
    assertSame(first, hosted.latestJson("u", S, MIB, render), "kept");
    assertEquals(1, renders.get());
    assertEquals(first.length, hosted.jsonBytes());

    hosted.publish("u", withEvents("u", 2));
    assertEquals(0, hosted.jsonBytes(), "a write drops the JSON of the state before it");
    byte[] second = hosted.latestJson("u", S, MIB, render);
    assertArrayEquals("u:2".getBytes(StandardCharsets.UTF_8), second);
    assertEquals(2, renders.get());

    hosted.withdraw("u");
    assertEquals(0, hosted.jsonBytes());
    assertNull(hosted.latestJson("u", S, MIB, render));
  }

  @Test
  void beyondTheBudgetEachReadRenders() {
    HostedProfiles hosted = new HostedProfiles();
    long budget = "a:1".length();
    hosted.publish("a", withEvents("a", 1));
    hosted.publish("b", withEvents("b", 1));
    hosted.latestJson("a", S, budget, render);
    hosted.latestJson("b", S, budget, render);
    hosted.latestJson("b", S, budget, render);
    assertEquals(3, renders.get(), "b is over the budget: rendered at each read");
    assertEquals("a:1".length(), hosted.jsonBytes());
    assertArrayEquals("b:1".getBytes(StandardCharsets.UTF_8), hosted.latestJson("b", S, budget, render));

    HostedProfiles none = new HostedProfiles();
    none.publish("a", withEvents("a", 1));
    assertNotSame(none.latestJson("a", S, 0, render), none.latestJson("a", S, 0, render));
    assertEquals(0, none.jsonBytes());
  }

  /** Reads racing writes of the same profiles: whatever interleaving, the bytes counted are the bytes kept. */
  @Test
  void theCountFollowsWhatIsKeptUnderRacingReadsAndWrites() throws Exception {
    HostedProfiles hosted = new HostedProfiles();
    List<String> users = List.of("a", "b", "c", "d");
    List<ProfileState> states = List.of(withEvents("x", 1), withEvents("x", 2), withEvents("x", 3));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> work = new java.util.ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int seed = t;
        work.add(pool.submit(() -> {
          java.util.Random r = new java.util.Random(seed);
          for (int i = 0; i < 20_000; i++) {
            String u = users.get(r.nextInt(users.size()));
            switch (r.nextInt(4)) {
              case 0 -> hosted.publish(u, states.get(r.nextInt(states.size())));
              case 1 -> hosted.withdraw(u);
              default -> hosted.latestJson(u, S, MIB, render);
            }
          }
        }));
      }
      for (Future<?> f : work) f.get();
    } finally {
      pool.shutdown();
    }
    long kept = 0;
    for (String u : users) {
      byte[] json = hosted.latestJson(u, S, MIB, render); // the JSON kept for the hosted state (rendered now if none was)
      if (json != null) kept += json.length;
    }
    assertEquals(kept, hosted.jsonBytes());
    for (String u : users) hosted.withdraw(u);
    assertEquals(0, hosted.jsonBytes());
  }

  @Test
  void theShareIsCheckedAtStart() {
    assertEquals(50, settings(0.05).readCacheBudget(1_000));
    var refused = assertThrows(IllegalArgumentException.class, () -> settings(0.9));
    assertTrue(refused.getMessage().contains("PROFILE_READ_CACHE_HEAP_SHARE"), refused.getMessage());
    assertEquals((long) (Runtime.getRuntime().maxMemory() * 0.05),
        TestSettings.defaults().readCacheBudget(Runtime.getRuntime().maxMemory()), "the default: 5% of the heap");
  }

  private static EngineSettings settings(double share) {
    return EngineSettings.from(TestSettings.engineConfig(ConfigFactory.parseMap(Map.of(EngineSettings.READ_CACHE_HEAP_SHARE, share))));
  }
}
