package dev.profileengine.gateway.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.profileengine.data.BehaviorRow;
import dev.profileengine.profile.BehaviorType;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The replay's batches in flight start at one and grow by one each time a batch is answered
 * promptly: a node that has just started, or is slow, gets one batch, not every lane's at once. The peer is a plain HTTP
 * server answering as a node does, which records how many answers it had sent when each request
 * arrived.
 */
class ReplayerSlowStartTest {
  /** The first answer is held until a second request arrives (which must not happen) or a second has passed. */
  @Test
  void theSecondLaneStartsOnceTheFirstBatchIsAnswered() throws Exception {
    AtomicInteger answered = new AtomicInteger();
    List<Integer> answeredAtArrival = new CopyOnWriteArrayList<>();
    CountDownLatch secondArrived = new CountDownLatch(1);
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.createContext("/v1/events", exchange -> {
      int events = countEvents(exchange.getRequestBody());
      answeredAtArrival.add(answered.get());
      if (answeredAtArrival.size() == 1) {
        await(secondArrived);
      } else {
        secondArrived.countDown();
      }
      byte[] body = ("{\"accepted\":" + events + ",\"duplicates\":0,\"rejected\":0,\"unconfirmed\":0,\"results\":[]}")
          .getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      answered.incrementAndGet(); // before the client can see the answer
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    try {
      List<BehaviorRow> rows = new ArrayList<>();
      for (int user = 0; user < 40; user++) {
        for (int k = 0; k < 5; k++) rows.add(new BehaviorRow("u" + user, "i" + k, "c1", BehaviorType.VIEW, 1_511_658_000L + k, null, null));
      }
      URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
      Replayer.Progress done = new Replayer(new Replayer.Options(base, 10, 4, 8, null)).run(rows, p -> {});

      assertEquals(rows.size(), done.accepted());
      assertEquals(0, done.retries());
      assertTrue(answeredAtArrival.size() >= 4, "several batches per lane: " + answeredAtArrival);
      assertEquals(0, answeredAtArrival.get(0));
      assertTrue(answeredAtArrival.get(1) >= 1, "the second batch is sent after the first answer: " + answeredAtArrival);
    } finally {
      server.stop(0);
    }
  }

  /** A first answer slower than the ramp-up latency does not widen the window: the next request waits for it. */
  @Test
  void aSlowAnswerStartsNoOtherLane() throws Exception {
    AtomicInteger answered = new AtomicInteger();
    List<Integer> answeredAtArrival = new CopyOnWriteArrayList<>();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.createContext("/v1/events", exchange -> {
      int events = countEvents(exchange.getRequestBody());
      answeredAtArrival.add(answered.get());
      if (answeredAtArrival.size() == 1) {
        // a cold node: its first answer takes longer than the ramp-up latency
        try {
          Thread.sleep(Replayer.RAMP_UP_LATENCY.toMillis() + 300);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      byte[] body = ("{\"accepted\":" + events + ",\"duplicates\":0,\"rejected\":0,\"unconfirmed\":0,\"results\":[]}")
          .getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      answered.incrementAndGet(); // before the client can see the answer
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    try {
      List<BehaviorRow> rows = new ArrayList<>();
      for (int user = 0; user < 40; user++) {
        for (int k = 0; k < 5; k++) rows.add(new BehaviorRow("u" + user, "i" + k, "c1", BehaviorType.VIEW, 1_511_658_000L + k, null, null));
      }
      URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
      Replayer.Progress done = new Replayer(new Replayer.Options(base, 10, 4, 8, null)).run(rows, p -> {});

      assertEquals(rows.size(), done.accepted());
      assertEquals(List.of(0, 1, 2), answeredAtArrival.subList(0, 3),
          "after the slow answer one batch at a time, until a prompt answer starts the second lane: " + answeredAtArrival);
    } finally {
      server.stop(0);
    }
  }

  private static int countEvents(InputStream body) throws IOException {
    String json = new String(body.readAllBytes(), StandardCharsets.UTF_8);
    return json.split("\"eventId\"", -1).length - 1;
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await(1, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
