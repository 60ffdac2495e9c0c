package dev.profileengine.engine.profiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** The turns of {@link FairDispatch}, driven by hand: which sends start, in which order, as others complete. */
class FairDispatchTest {
  /** Sends by name, in the order they started; each completes when the test says so. */
  private final Map<String, CompletableFuture<String>> started = new LinkedHashMap<>();

  private CompletionStage<String> send(FairDispatch.Request request, String name, int units) {
    return request.send(units, () -> {
      CompletableFuture<String> f = new CompletableFuture<>();
      started.put(name, f);
      return f;
    });
  }

  private List<String> startedNames() {
    return new ArrayList<>(started.keySet());
  }

  @Test
  void aLoneCallersSendsAllGoOutAtOnce() {
    FairDispatch dispatch = new FairDispatch(4, Runnable::run);
    FairDispatch.Request a = dispatch.request("a");
    FairDispatch.Request b = dispatch.request("a");
    for (int i = 0; i < 10; i++) send(i % 2 == 0 ? a : b, "s" + i, 100);
    assertEquals(10, started.size(), "no other caller to share with: the journal's commits grow with what is out");
    assertEquals(1000, dispatch.out());
    assertEquals(0, dispatch.waiting());
  }

  @Test
  void anotherCallersSendGoesOutAtOnceAndTheHeavyCallerWaitsForItsShare() {
    long[] now = {0};
    FairDispatch dispatch = new FairDispatch(4, Runnable::run, () -> now[0]);
    FairDispatch.Request heavy = dispatch.request("heavy");
    for (int i = 0; i < 10; i++) send(heavy, "h" + i, 1);
    assertEquals(10, started.size());
    FairDispatch.Request light = dispatch.request("light");
    CompletionStage<String> first = send(light, "l0", 1);
    assertEquals("l0", startedNames().get(10), "nothing of its own out: the light caller's send goes at once");
    send(light, "l1", 1);
    send(light, "l2", 1);
    assertEquals(List.of("l0", "l1"), startedNames().subList(10, 12), "its share of the window is 2 events");
    for (int i = 10; i < 15; i++) send(heavy, "h" + i, 1);
    assertEquals(12, started.size(), "the heavy caller is over its share");
    assertEquals(6, dispatch.waiting());
    started.get("l0").complete("done");
    assertEquals("done", first.toCompletableFuture().join());
    assertEquals("l2", startedNames().get(12));
    for (int i = 0; i < 8; i++) started.get("h" + i).complete("ok");
    assertEquals(13, started.size(), "two heavy sends still out: its share is full");
    started.get("h8").complete("ok");
    assertEquals("h10", startedNames().get(13));
    started.get("l1").complete("ok");
    started.get("l2").complete("ok");
    started.get("h9").complete("ok");
    assertEquals(List.of("h10", "h11"), startedNames().subList(13, 15), "the light caller, answered, is still active: the share holds");
    now[0] += FairDispatch.LINGER;
    started.get("h10").complete("ok");
    assertEquals(List.of("h12", "h13", "h14"), startedNames().subList(15, 18), "a second later the heavy caller is alone: the rest go at once");
    assertEquals(0, dispatch.waiting());
  }

  @Test
  void callersAndTheRequestsOfOneCallerTakeTurns() {
    FairDispatch dispatch = new FairDispatch(3, Runnable::run);
    send(dispatch.request("z"), "blocker", 1);
    FairDispatch.Request a1 = dispatch.request("a");
    FairDispatch.Request a2 = dispatch.request("a");
    for (int i = 0; i < 3; i++) send(a1, "a1-" + i, 1);
    for (int i = 0; i < 3; i++) send(a2, "a2-" + i, 1);
    assertEquals(List.of("blocker", "a1-0"), startedNames(), "two callers: one event each");
    for (int i = 1; i < 6; i++) started.get(startedNames().get(i)).complete("ok");
    // a1-0 went at once; then a1-1 waited before a2-0 did, and the two requests alternate.
    assertEquals(List.of("blocker", "a1-0", "a1-1", "a2-0", "a1-2", "a2-1", "a2-2"), startedNames());
    started.get("a2-2").complete("ok");
    started.get("blocker").complete("ok");
    assertEquals(0, dispatch.out());
    assertEquals(0, dispatch.waiting());
  }

  @Test
  void aSendLargerThanItsShareGoesWhenItsCallerHasNothingOut() {
    FairDispatch dispatch = new FairDispatch(10, Runnable::run);
    send(dispatch.request("z"), "blocker", 1);
    FairDispatch.Request r = dispatch.request("a");
    send(r, "small", 3);
    send(r, "big", 50);
    assertEquals(List.of("blocker", "small"), startedNames(), "the big send waits for its caller's sends, and holds its place");
    started.get("small").complete("ok");
    assertEquals(List.of("blocker", "small", "big"), startedNames());
  }

  @Test
  void aFailedSendFreesItsSlotAndFailsOnlyItself() {
    FairDispatch dispatch = new FairDispatch(2, Runnable::run);
    send(dispatch.request("z"), "blocker", 1);
    FairDispatch.Request r = dispatch.request("a");
    CompletionStage<String> first = send(r, "first", 1);
    CompletionStage<String> thrown = r.send(1, () -> {
      throw new IllegalStateException("no entity");
    });
    CompletionStage<String> last = send(r, "last", 1);
    assertEquals(List.of("blocker", "first"), startedNames());
    started.get("first").completeExceptionally(new IllegalStateException("timed out"));
    assertTrue(first.toCompletableFuture().isCompletedExceptionally());
    assertTrue(thrown.toCompletableFuture().isCompletedExceptionally());
    assertEquals(List.of("blocker", "first", "last"), startedNames());
    started.get("last").complete("ok");
    assertEquals("ok", last.toCompletableFuture().join());
    assertEquals(1, dispatch.out());
  }

  @Test
  void whileAnotherCallerIsActiveOneCallerMayHoldThreeQuartersOfTheAdmissionBound() {
    long[] now = {0};
    FairDispatch dispatch = new FairDispatch(4, Runnable::run, () -> now[0]);
    InFlightLimit bound = new InFlightLimit("events", 10, 10, java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(1));
    FairDispatch.Request heavy = dispatch.request("heavy");
    for (int i = 0; i < 7; i++) send(heavy, "h" + i, 1);
    assertTrue(heavy.overShare(1_000, bound).isEmpty(), "alone, admission's own bound decides");
    FairDispatch.Request light = dispatch.request("light");
    assertTrue(light.overShare(5, bound).isEmpty(), "nothing in flight: admitted");
    send(light, "l0", 1);
    started.get("l0").complete("ok");
    assertTrue(heavy.overShare(1, bound).isEmpty(), "7 + 1 of the bound's 3/4 (8)");
    var refused = heavy.overShare(2, bound);
    assertTrue(refused.isPresent(), "7 + 2 is over 3/4 of the bound while the light caller is active");
    assertEquals(Refusal.Reason.OVERLOADED, refused.get().reason());
    assertTrue(refused.get().message().contains("holds 7 events in flight"), refused.get().message());
    now[0] += FairDispatch.LINGER;
    assertTrue(heavy.overShare(2, bound).isEmpty(), "the light caller gone quiet: the heavy one is alone again");
  }

  @Test
  void windowZeroSendsEverythingAtOnce() {
    FairDispatch dispatch = new FairDispatch(0, Runnable::run);
    send(dispatch.request("z"), "blocker", 1);
    FairDispatch.Request r = dispatch.request("a");
    for (int i = 0; i < 50; i++) send(r, "s" + i, 7);
    assertEquals(51, started.size());
    assertEquals(0, dispatch.waiting());
  }
}
