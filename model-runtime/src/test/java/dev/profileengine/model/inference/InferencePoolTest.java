package dev.profileengine.model.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.profileengine.model.PoolRejectedException;
import dev.profileengine.profile.BehaviorType;
import dev.profileengine.profile.RecentBehavior;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The pool on the real DJL model (the committed default), no mocks. */
class InferencePoolTest {

  @Test
  void concurrentRequestsAreBatchedAndAllComplete() throws Exception {
    try (InferencePool pool = new InferencePool(Models.defaultModel(),
        PoolConfig.defaults().withWorkers(2).withBatch(64, Duration.ofMillis(5)))) {
      Random r = new Random(1);
      List<CompletableFuture<Prediction>> all = new ArrayList<>();
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> callers = new ArrayList<>();
      for (int c = 0; c < 8; c++) {
        List<List<RecentBehavior>> inputs = new ArrayList<>();
        for (int i = 0; i < 250; i++) inputs.add(Models.history(r, 1 + r.nextInt(80)));
        int caller = c;
        Thread t = new Thread(() -> {
          try {
            start.await();
          } catch (InterruptedException e) {
            return;
          }
          for (int i = 0; i < inputs.size(); i++) {
            CompletableFuture<Prediction> f = pool.predict("user-" + caller + "-" + i, inputs.get(i)).toCompletableFuture();
            synchronized (all) {
              all.add(f);
            }
          }
        });
        callers.add(t);
        t.start();
      }
      start.countDown();
      for (Thread t : callers) t.join();
      CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
      for (CompletableFuture<Prediction> f : all) {
        Prediction p = f.join();
        double sum = p.nextBehavior().values().stream().mapToDouble(Double::doubleValue).sum();
        assertEquals(1.0, sum, 1e-6);
        assertEquals(BehaviorType.count(), p.nextBehavior().size());
        assertTrue(p.nextBehavior().get("click") > 0, "unseen types get a tiny probability, not 0");
        assertTrue(p.nextCategories().size() <= 10 && !p.nextCategories().isEmpty());
      }
      PoolStats s = pool.stats();
      assertEquals(2000, s.requests());
      assertEquals(2000, s.completed());
      assertEquals(0, s.rejected());
      assertTrue(s.meanBatchSize() > 1.0, "requests were batched: " + s);
      assertTrue(s.maxBatchSize() <= 64);
      assertTrue(s.batches() < 2000);
      System.out.println("batching: " + s);
    }
  }

  @Test
  void aFullQueueRejectsAtOnceWithATypedException() throws Exception {
    try (InferencePool pool = new InferencePool(Models.defaultModel(),
        PoolConfig.defaults().withWorkers(1).withQueueCapacity(2).withBatch(1, Duration.ZERO))) {
      Random r = new Random(2);
      List<RecentBehavior> h = Models.history(r, 50);
      List<CompletableFuture<Prediction>> all = new ArrayList<>();
      long t0 = System.nanoTime();
      for (int i = 0; i < 500; i++) all.add(pool.predict("u" + i, h).toCompletableFuture());
      long callerMillis = (System.nanoTime() - t0) / 1_000_000;
      int rejected = 0;
      int ok = 0;
      for (CompletableFuture<Prediction> f : all) {
        try {
          f.get(30, TimeUnit.SECONDS);
          ok++;
        } catch (java.util.concurrent.ExecutionException e) {
          PoolRejectedException pre = assertInstanceOf(PoolRejectedException.class, e.getCause());
          assertEquals(PoolRejectedException.Reason.QUEUE_FULL, pre.reason());
          rejected++;
        }
      }
      assertTrue(rejected > 0, "some requests must be refused");
      assertTrue(ok > 0);
      assertEquals(rejected, pool.stats().rejected());
      assertTrue(callerMillis < 5_000, "predict never blocks the caller");
    }
  }

  @Test
  void swapUnderLoadFailsNoRequest() throws Exception {
    try (InferencePool pool = new InferencePool(Models.defaultModel(),
        PoolConfig.defaults().withWorkers(2).withQueueCapacity(100_000).withBatch(32, Duration.ofMillis(2)))) {
      String djlVersion = pool.modelVersion();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong failures = new AtomicLong();
      AtomicLong done = new AtomicLong();
      Set<String> versions = ConcurrentHashMap.newKeySet();
      List<Thread> callers = new ArrayList<>();
      for (int c = 0; c < 4; c++) {
        Random r = new Random(10 + c);
        Thread t = new Thread(() -> {
          List<CompletableFuture<Prediction>> mine = new ArrayList<>();
          int i = 0;
          while (!stop.get()) {
            mine.add(pool.predict("u" + (i++), Models.history(r, 30)).toCompletableFuture()
                .whenComplete((p, e) -> {
                  if (e != null) failures.incrementAndGet();
                  else {
                    versions.add(p.modelVersion());
                    done.incrementAndGet();
                  }
                }));
            if (mine.size() % 64 == 0) mine.get(mine.size() - 1).exceptionally(e -> null).join();
          }
          for (CompletableFuture<Prediction> f : mine) f.exceptionally(e -> null).join();
        });
        callers.add(t);
        t.start();
      }
      for (int s = 0; s < 6; s++) {
        Thread.sleep(150);
        pool.swap(s % 2 == 0 ? MarkovFallbackPredictor.generic() : Models.defaultModel());
      }
      Thread.sleep(150);
      stop.set(true);
      for (Thread t : callers) t.join();
      assertEquals(0, failures.get(), "no request fails across swaps");
      assertEquals(0, pool.stats().failed());
      assertTrue(done.get() > 100);
      assertEquals(Set.of(djlVersion, MarkovFallbackPredictor.VERSION), versions);
      assertEquals(6, pool.stats().swaps());
    }
  }

  @Test
  void candidateGetsAStableShareOfUsers() throws Exception {
    try (InferencePool pool = new InferencePool(Models.defaultModel(), PoolConfig.defaults().withWorkers(1))) {
      pool.setCandidate(MarkovFallbackPredictor.generic(), 30);
      List<RecentBehavior> h = Models.history(new Random(3), 20);
      int candidate = 0;
      for (int u = 0; u < 400; u++) {
        String v1 = pool.predict("user" + u, h).toCompletableFuture().get(30, TimeUnit.SECONDS).modelVersion();
        String v2 = pool.predict("user" + u, h).toCompletableFuture().get(30, TimeUnit.SECONDS).modelVersion();
        assertEquals(v1, v2, "the same user always sees the same arm");
        if (v1.equals(MarkovFallbackPredictor.VERSION)) candidate++;
      }
      assertTrue(candidate > 80 && candidate < 160, "about 30% of users: " + candidate);
      assertEquals(30, pool.stats().candidatePercent());
      pool.clearCandidate();
      assertEquals(pool.modelVersion(), pool.predict("user1", h).toCompletableFuture().get().modelVersion());
    }
  }

  @Test
  void aClosedPoolRejects() {
    InferencePool pool = new InferencePool(MarkovFallbackPredictor.generic(), PoolConfig.defaults().withWorkers(1));
    pool.close();
    CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
        () -> pool.predict("u", List.of()).toCompletableFuture().join());
    assertEquals(PoolRejectedException.Reason.CLOSED, ((PoolRejectedException) e.getCause()).reason());
  }
}
