package dev.profileengine.gateway;

import akka.actor.ClassicActorSystemProvider;
import akka.http.javadsl.Http;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpEntity;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.MediaTypes;
import akka.http.javadsl.model.headers.RawHeader;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
/** A raw gRPC call over HTTP/2 with prior knowledge (Akka HTTP's client): any body bytes, the status as the server sent it. */
final class RawGrpc {
  private RawGrpc() {}

  /** What came back: the HTTP status and the gRPC status and message (from the headers if trailers-only, else the trailers). */
  record Answer(int httpStatus, String grpcStatus, String grpcMessage) {}

  /** The status of a response stream still open after {@link #OPEN_AFTER_SECONDS} (a subscription with nothing to send). */
  static final String OPEN = "open";
  static final int OPEN_AFTER_SECONDS = 3;

  static Answer call(ClassicActorSystemProvider system, int port, String path, String key, Source<ByteString, ?> body, long length) throws Exception {
    return call(system, port, path, key, body, length, () -> {});
  }

  /** As {@link #call}, running {@code onResponse} as soon as the response (its headers) arrives. */
  static Answer call(ClassicActorSystemProvider system, int port, String path, String key, Source<ByteString, ?> body, long length,
                     Runnable onResponse) throws Exception {
    HttpRequest request = HttpRequest.POST(path)
        .withEntity(HttpEntities.create(ContentTypes.create(MediaTypes.APPLICATION_GRPC_PROTO), length, body));
    if (key != null) request = request.addHeader(RawHeader.create("authorization", "Bearer " + key));
    // A queue rather than Sink.head: the connection stays open while the response body is read.
    akka.japi.Pair<java.util.concurrent.CompletableFuture<java.util.Optional<HttpRequest>>, akka.stream.javadsl.SinkQueueWithCancel<HttpResponse>> run =
        Source.single(request).concatMat(Source.<HttpRequest>maybe(), akka.stream.javadsl.Keep.right())
            .via(Http.get(system).connectionTo("127.0.0.1").toPort(port).http2WithPriorKnowledge())
            .toMat(Sink.queue(), akka.stream.javadsl.Keep.both())
            .run(system);
    akka.stream.javadsl.SinkQueueWithCancel<HttpResponse> responses = run.second();
    try {
      HttpResponse response = responses.pull().toCompletableFuture().get(60, TimeUnit.SECONDS)
          .orElseThrow(() -> new AssertionError("connection closed without a response"));
      onResponse.run();
      List<HttpHeader> headers = new ArrayList<>();
      response.getHeaders().forEach(headers::add);
      if (response.getHeader("grpc-status").isEmpty() && response.entity() instanceof HttpEntity.Chunked chunked) {
        try {
          chunked.getChunks().completionTimeout(java.time.Duration.ofSeconds(OPEN_AFTER_SECONDS)).runWith(Sink.foreach(c -> {
            if (c.isLastChunk()) c.getTrailerHeaders().forEach(headers::add);
          }), system).toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
          if (!(e.getCause() instanceof java.util.concurrent.TimeoutException)) throw e;
          return new Answer(response.status().intValue(), OPEN, "");
        }
      } else {
        response.discardEntityBytes(system);
      }
      return new Answer(response.status().intValue(),
          headers.stream().filter(h -> h.is("grpc-status")).map(HttpHeader::value).findFirst().orElse("none"),
          headers.stream().filter(h -> h.is("grpc-message")).map(HttpHeader::value).findFirst().orElse(""));
    } finally {
      // No more requests: the connection ends once its streams have (a subscription's is cut).
      run.first().complete(java.util.Optional.empty());
      responses.cancel();
    }
  }
}
