package dev.profileengine.gateway.grpc;

import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.japi.function.Function;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * gRPC server reflection under its stable name, {@code grpc.reflection.v1}, beside akka-grpc's
 * {@code v1alpha}: the two protocols' messages are the same on the wire (v1 is v1alpha renamed, every
 * field number kept), so a v1 call is answered by the v1alpha handler with its path renamed.
 * Clients that ask only v1 (newer grpcurl, grpcui, Postman) then list and describe the service too.
 */
public final class ReflectionV1 {
  static final String V1 = "/grpc.reflection.v1.ServerReflection/";
  static final String V1ALPHA = "/grpc.reflection.v1alpha.ServerReflection/";

  private ReflectionV1() {}

  /** {@code v1alpha} (akka-grpc's {@code ServerReflection} handler) answering v1 calls too; 404 for any other path. */
  public static Function<HttpRequest, CompletionStage<HttpResponse>> over(Function<HttpRequest, CompletionStage<HttpResponse>> v1alpha) {
    return request -> {
      String path = request.getUri().path();
      if (!path.startsWith(V1)) return CompletableFuture.completedFuture(HttpResponse.create().withStatus(StatusCodes.NOT_FOUND));
      return v1alpha.apply(request.withUri(request.getUri().path(V1ALPHA + path.substring(V1.length()))));
    };
  }
}
