package dev.profileengine.cluster;

import akka.actor.ActorSystem;
import akka.grpc.GrpcClientSettings;
import akka.stream.KillSwitches;
import akka.stream.UniqueKillSwitch;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.Sink;
import dev.profileengine.grpc.ProfileServiceClient;
import dev.profileengine.grpc.SubscribeRequest;
import java.util.List;

/**
 * {@code SubscribeProfileChanges} over gRPC (the node's plaintext gRPC port), from an offset: a
 * client of its own per subscriber, so a node's death ends exactly its streams.
 */
final class GrpcSubscriber extends ChangeSubscriber {
  private final ProfileServiceClient client;
  private final UniqueKillSwitch stop;

  private GrpcSubscriber(String name, long from, ProfileServiceClient client, ActorSystem system) {
    super(name, from);
    this.client = client;
    var run = client.subscribeProfileChanges(SubscribeRequest.newBuilder().setFromOffset(from).build())
        .viaMat(KillSwitches.single(), Keep.right())
        .toMat(Sink.foreach(c -> add(new Received(c.getOffset(), c.getUserId(), c.getCause(), List.copyOf(c.getEventIdsList())))),
            Keep.both())
        .run(system);
    this.stop = run.first();
    run.second().whenComplete((done, failure) -> end());
  }

  /** Subscribes at {@code 127.0.0.1:grpcPort} after {@code fromOffset}. */
  static GrpcSubscriber open(ActorSystem system, int grpcPort, long fromOffset) {
    // No retries of a broken connection: a dead node must end the stream, and the test resumes it elsewhere.
    GrpcClientSettings settings = GrpcClientSettings.connectToServiceAt("127.0.0.1", grpcPort, system).withTls(false)
        .withConnectionAttempts(1);
    return new GrpcSubscriber("gRPC 127.0.0.1:" + grpcPort + " after " + fromOffset, fromOffset, ProfileServiceClient.create(settings, system), system);
  }

  @Override
  public void close() {
    stop.shutdown();
    client.close();
  }
}
