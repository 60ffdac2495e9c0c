package dev.profileengine.gateway;

import akka.grpc.GrpcClientSettings;
import dev.profileengine.grpc.ProfileServiceClient;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
/** gRPC clients of a {@link TestNode}, each presenting one API key (or none). */
final class TestGrpc {
  private TestGrpc() {}

  static ProfileServiceClient client(TestNode node, String key) {
    GrpcClientSettings settings = GrpcClientSettings.connectToServiceAt("127.0.0.1", node.node.grpcPort(), node.node.system()).withTls(false);
    return ProfileServiceClient.create(key == null ? settings : settings.withCallCredentials(bearer(key)), node.node.system());
  }

  static io.grpc.CallCredentials bearer(String key) {
    return new io.grpc.CallCredentials() {
      @Override
      public void applyRequestMetadata(RequestInfo info, java.util.concurrent.Executor executor, MetadataApplier applier) {
        io.grpc.Metadata m = new io.grpc.Metadata();
        m.put(io.grpc.Metadata.Key.of("authorization", io.grpc.Metadata.ASCII_STRING_MARSHALLER), "Bearer " + key);
        applier.apply(m);
      }

      @Override
      public void thisUsesUnstableApi() {}
    };
  }

  /** The gRPC status of a failed call (unwrapping the future's exception). */
  static Status status(Throwable t) {
    Throwable c = t;
    while ((c instanceof ExecutionException || c instanceof CompletionException) && c.getCause() != null) c = c.getCause();
    if (c instanceof StatusRuntimeException s) return s.getStatus();
    throw new AssertionError("not a gRPC status failure: " + t, t);
  }
}
