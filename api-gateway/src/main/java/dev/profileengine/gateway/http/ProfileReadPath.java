package dev.profileengine.gateway.http;

import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.model.HttpRequest;
import akka.http.scaladsl.model.Uri;

/** Recognises {@code GET /v1/profiles/{userId}} (one trailing slash allowed) without route directives. */
final class ProfileReadPath {
  private static final String[] PREFIX = {"v1", "profiles"};

  private ProfileReadPath() {}

  /** The decoded {@code userId} segment of a profile read, or null for any other request. */
  static String userId(HttpRequest request) {
    if (!request.method().equals(HttpMethods.GET)) return null;
    Uri.Path path = request.getUri().asScala().path();
    String segment = null;
    for (int i = 0; i <= PREFIX.length; i++) {
      if (!path.startsWithSlash()) return null;
      path = path.tail();
      if (path.isEmpty() || path.startsWithSlash()) return null;
      segment = (String) path.head();
      if (i < PREFIX.length && !segment.equals(PREFIX[i])) return null;
      path = path.tail();
    }
    boolean end = path.isEmpty() || (path.startsWithSlash() && path.tail().isEmpty());
    return end ? segment : null;
  }
}
