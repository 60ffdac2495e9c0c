package dev.profileengine.bench;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.grpc.GrpcClientSettings;
import com.google.protobuf.DoubleValue;
import com.typesafe.config.ConfigFactory;
import dev.profileengine.data.BehaviorRow;
import dev.profileengine.data.TaobaoCsv;
import dev.profileengine.gateway.replay.Replayer;
import dev.profileengine.grpc.Event;
import dev.profileengine.grpc.IngestReply;
import dev.profileengine.grpc.IngestRequest;
import dev.profileengine.grpc.ProfileServiceClient;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * HTTP vs gRPC ingest throughput against one running node, in one run: the same number of real
 * rows (disjoint halves of the file, so nothing is a duplicate) sent as batches of {@code batch}
 * events by {@code lanes} concurrent senders, each user always on the same lane (its events stay in
 * order): HTTP through the replay client ({@code POST /v1/events}), gRPC through the generated
 * client ({@code IngestEvents}). Events/s counts accepted events over wall time.
 *
 * <pre>
 * java -cp load-tests/target/benchmarks.jar dev.profileengine.bench.IngestProtocolsProbe \
 *     [httpUrl=http://127.0.0.1:8080] [grpcPort=8081] [rows=40000] [batch=500] [lanes=4] [csv]
 * </pre>
 */
public final class IngestProtocolsProbe {
  private IngestProtocolsProbe() {}

  public static void main(String[] args) throws Exception {
    URI http = URI.create(args.length > 0 ? args[0] : "http://127.0.0.1:8080");
    int grpcPort = args.length > 1 ? Integer.parseInt(args[1]) : 8081;
    int n = args.length > 2 ? Integer.parseInt(args[2]) : 40_000;
    int batch = args.length > 3 ? Integer.parseInt(args[3]) : 500;
    int lanes = args.length > 4 ? Integer.parseInt(args[4]) : 4;
    Path csv = SampleData.locate(args.length > 5 ? args[5] : null, SampleData.SAMPLE);
    List<BehaviorRow> all = TaobaoCsv.read(csv, bad -> {});
    if (all.size() < 2 * n) throw new IllegalArgumentException(csv + " has " + all.size() + " rows, need " + 2 * n);
    List<BehaviorRow> httpRows = all.subList(0, n);
    List<BehaviorRow> grpcRows = all.subList(n, 2 * n);
    System.out.printf("%,d rows each over HTTP and gRPC, batches of %d, %d lanes; node %s, gRPC port %d%n", n, batch, lanes, http, grpcPort);

    long t0 = System.nanoTime();
    Replayer.Progress h = new Replayer(new Replayer.Options(http, batch, lanes, 8, System.getenv("PROFILE_API_KEY"))).run(httpRows, p -> {});
    double httpSeconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf("HTTP: %,d accepted, %,d duplicates, %,d rejected in %.1f s = %,.0f events/s%n",
        h.accepted(), h.duplicates(), h.rejected(), httpSeconds, h.accepted() / httpSeconds);

    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "ingest-probe",
        ConfigFactory.parseString("akka.loglevel = WARNING").withFallback(ConfigFactory.load()));
    try {
      ProfileServiceClient client = ProfileServiceClient.create(
          GrpcClientSettings.connectToServiceAt(http.getHost(), grpcPort, system).withTls(false), system);
      List<List<BehaviorRow>> byLane = new ArrayList<>();
      for (int i = 0; i < lanes; i++) byLane.add(new ArrayList<>());
      for (BehaviorRow r : grpcRows) byLane.get(Math.floorMod(r.userId().hashCode(), lanes)).add(r);
      AtomicLong accepted = new AtomicLong();
      AtomicLong other = new AtomicLong();
      long t1 = System.nanoTime();
      List<CompletableFuture<Void>> running = new ArrayList<>();
      for (List<BehaviorRow> lane : byLane) {
        running.add(CompletableFuture.runAsync(() -> {
          for (int i = 0; i < lane.size(); i += batch) {
            IngestRequest.Builder req = IngestRequest.newBuilder();
            for (BehaviorRow r : lane.subList(i, Math.min(lane.size(), i + batch))) req.addEvents(toProto(r));
            IngestReply reply = client.ingestEvents(req.build()).toCompletableFuture().join();
            accepted.addAndGet(reply.getAccepted());
            other.addAndGet(reply.getDuplicates() + reply.getRejected() + reply.getUnconfirmed());
          }
        }));
      }
      CompletableFuture.allOf(running.toArray(CompletableFuture[]::new)).get(30, TimeUnit.MINUTES);
      double grpcSeconds = (System.nanoTime() - t1) / 1e9;
      System.out.printf("gRPC: %,d accepted, %,d not accepted in %.1f s = %,.0f events/s%n", accepted.get(), other.get(), grpcSeconds,
          accepted.get() / grpcSeconds);
      System.out.printf("SUMMARY http %,.0f events/s, grpc %,.0f events/s, grpc/http %.2fx%n", h.accepted() / httpSeconds,
          accepted.get() / grpcSeconds, (accepted.get() / grpcSeconds) / (h.accepted() / httpSeconds));
      client.close();
    } finally {
      system.terminate();
    }
  }

  static Event toProto(BehaviorRow r) {
    Event.Builder e = Event.newBuilder()
        .setEventId(r.eventId())
        .setUserId(r.userId())
        .setType(r.type().wire())
        .setTimestampMs(r.epochSecond() * 1000)
        .setItemId(r.itemId())
        .setCategoryId(r.categoryId());
    if (r.brand() != null) e.setBrand(r.brand());
    if (r.price() != null) e.setPrice(DoubleValue.of(r.price()));
    return e.build();
  }
}
