package dev.profileengine.gateway.http;

import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Requests a browser sends for another site's page. A node with no API keys (loopback only) would
 * take a "simple" cross-site POST from any page its user opens (text/plain, no preflight): events,
 * links of identities, a model's activation. So a request that may change something (any method
 * but GET and HEAD) carrying an {@code Origin} other than the node's own is refused 403 naming
 * {@code Origin}. On such an open node the host a browser names must also be a loopback one: a
 * page served by a name that resolves to 127.0.0.1 (DNS rebinding) has its Origin equal to its Host.
 * Clients other than browsers send no Origin, and the console is served by the node itself. An
 * open node also refuses every request, reads too, whose {@code Host} is not a loopback one (403
 * naming {@code Host}).
 */
final class BrowserOrigins {
  private static final AllDirectives D = new AllDirectives() {};
  private static final java.util.regex.Pattern IPV4_LOOPBACK = java.util.regex.Pattern.compile("127(\\.\\d{1,3}){3}");

  private BrowserOrigins() {}

  /** {@code inner}, unless the request names a host an open node does not answer, or {@link #refusal} refuses it. */
  static Route sameSite(boolean open, Supplier<Route> inner) {
    return D.extractRequest(request -> {
      if (open && !loopbackHost(request)) {
        return ErrorHandling.error(StatusCodes.FORBIDDEN, "Host", "this node has no API keys: it answers requests to localhost, 127.0.0.1 or [::1] only, not "
            + shown(header(request, "Host").orElse("")));
      }
      String why = refusal(request, open);
      return why == null ? inner.get() : ErrorHandling.error(StatusCodes.FORBIDDEN, "Origin", why);
    });
  }

  /**
   * Whether the request names a loopback host (or none). An open node answers nothing else: a page
   * served by a name that resolves to 127.0.0.1 (DNS rebinding) would otherwise read every profile.
   */
  static boolean loopbackHost(HttpRequest request) {
    return header(request, "Host").map(h -> Authority.ofHost(h).loopback()).orElse(true);
  }

  static String refusal(HttpRequest request, boolean open) {
    return refusal(request.method().value(), header(request, "Origin"), header(request, "Host"), header(request, "X-Forwarded-Host"), open);
  }

  /** Why a request is refused, null when it is not (see the class). */
  static String refusal(String method, Optional<String> origin, Optional<String> host, Optional<String> forwardedHost, boolean open) {
    if (origin.isEmpty() || method.equals("GET") || method.equals("HEAD")) return null;
    String refused = "a browser page of another site may not change anything here (Origin " + shown(origin.get()) + ")";
    Authority from = Authority.ofOrigin(origin.get());
    if (from == null) return refused;
    boolean own = host.map(h -> from.matches(Authority.ofHost(h))).orElse(false)
        || forwardedHost.map(h -> from.matches(Authority.ofHost(h))).orElse(false);
    if (!own) return refused;
    if (open && !from.loopback()) return "this node has no API keys: browsers may reach it as localhost, 127.0.0.1 or [::1] only";
    return null;
  }

  /** A host and a port (-1: none given). */
  private record Authority(String host, int port) {
    static Authority ofOrigin(String origin) {
      try {
        URI u = new URI(origin.strip());
        if (u.getHost() == null || u.getScheme() == null) return null;
        int port = u.getPort() != -1 ? u.getPort() : u.getScheme().equalsIgnoreCase("https") ? 443 : 80;
        return new Authority(u.getHost().toLowerCase(Locale.ROOT), port);
      } catch (java.net.URISyntaxException e) {
        return null; // "null" (a sandboxed page, a file) and anything else unreadable
      }
    }

    static Authority ofHost(String host) {
      String h = host.strip().toLowerCase(Locale.ROOT);
      int colon = h.lastIndexOf(':');
      if (colon > h.lastIndexOf(']') && colon > 0) {
        try {
          return new Authority(h.substring(0, colon), Integer.parseInt(h.substring(colon + 1)));
        } catch (NumberFormatException e) {
          return new Authority(h, -2); // matches no origin
        }
      }
      return new Authority(h, -1);
    }

    /** The origin {@code this} is the node {@code host} names: same host, same port (a Host without one: the default ports, as behind a proxy). */
    boolean matches(Authority host) {
      if (!this.host.equals(host.host())) return false;
      return host.port() == -1 ? port == 80 || port == 443 : port == host.port();
    }

    boolean loopback() {
      // An address, not a prefix: "127.example.com" is a name anyone may point at 127.0.0.1.
      return host.equals("localhost") || host.equals("[::1]") || IPV4_LOOPBACK.matcher(host).matches();
    }
  }

  private static Optional<String> header(HttpRequest request, String name) {
    return request.getHeader(name).map(akka.http.javadsl.model.HttpHeader::value);
  }

  private static String shown(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }
}
