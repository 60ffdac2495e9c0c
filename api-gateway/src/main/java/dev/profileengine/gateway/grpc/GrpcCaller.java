package dev.profileengine.gateway.grpc;

import akka.grpc.GrpcServiceException;
import akka.grpc.javadsl.Metadata;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.headers.RawHeader;
import dev.profileengine.gateway.auth.ApiKeys;
import dev.profileengine.gateway.auth.Scope;
import io.grpc.Status;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The caller {@link GrpcGuard} authenticated, handed to the service as request metadata: Akka gRPC's
 * {@link Metadata} shows the request's headers only, so the guard (the one way to the handler, and
 * which drops any client-sent header of this name) attaches it as a header. The service reads it
 * back instead of hashing the API key a second time.
 */
final class GrpcCaller {
  static final String HEADER = "x-profile-engine-caller";

  private GrpcCaller() {}

  static HttpRequest attach(HttpRequest request, ApiKeys.Caller caller) {
    String scopes = caller.scopes().stream().map(Scope::wire).sorted().collect(Collectors.joining("+"));
    return request.addHeader(RawHeader.create(HEADER, caller.id() + ";" + scopes));
  }

  /** The caller the guard attached, allowed {@code scope}; UNAUTHENTICATED if none (a call that bypassed the guard). */
  static ApiKeys.Caller of(Metadata metadata, Scope scope) {
    String value = metadata.getText(HEADER).orElseThrow(() ->
        new GrpcServiceException(Status.UNAUTHENTICATED.withDescription("no authenticated caller")));
    int semi = value.lastIndexOf(';');
    Set<Scope> scopes = EnumSet.noneOf(Scope.class);
    for (String s : value.substring(semi + 1).split("\\+")) if (!s.isEmpty()) scopes.add(Scope.parse(s));
    ApiKeys.Caller caller = new ApiKeys.Caller(value.substring(0, semi), Set.copyOf(scopes));
    if (!caller.may(scope)) {
      throw new GrpcServiceException(Status.PERMISSION_DENIED.withDescription("this API key lacks the '" + scope.wire() + "' scope"));
    }
    return caller;
  }
}
