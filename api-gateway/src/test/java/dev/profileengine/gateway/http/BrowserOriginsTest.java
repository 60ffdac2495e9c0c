package dev.profileengine.gateway.http;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class BrowserOriginsTest {
  private static String refusal(String method, String origin, String host, boolean open) {
    return BrowserOrigins.refusal(method, Optional.ofNullable(origin), Optional.ofNullable(host), Optional.empty(), open);
  }

  @Test
  void clientsThatAreNotBrowsersAndReadsPass() {
    assertNull(refusal("POST", null, "127.0.0.1:8080", true), "no Origin: not a browser");
    assertNull(refusal("GET", "http://evil.example", "127.0.0.1:8080", true), "a read: the page cannot see the answer");
    assertNull(refusal("HEAD", "null", "127.0.0.1:8080", true));
  }

  @Test
  void theNodesOwnPagesPass() {
    assertNull(refusal("POST", "http://127.0.0.1:8080", "127.0.0.1:8080", true));
    assertNull(refusal("PUT", "http://localhost:8080", "LOCALHOST:8080", true));
    assertNull(refusal("DELETE", "http://[::1]:8080", "[::1]:8080", true));
    // Behind a TLS proxy that keeps the Host (without a port), or names it in X-Forwarded-Host.
    assertNull(refusal("POST", "https://profiles.example.com", "profiles.example.com", false));
    assertNull(BrowserOrigins.refusal("POST", Optional.of("https://profiles.example.com"), Optional.of("10.0.0.5:8080"),
        Optional.of("profiles.example.com"), false));
  }

  @Test
  void otherSitesPagesAreRefused() {
    assertNotNull(refusal("POST", "http://evil.example", "127.0.0.1:8080", true));
    assertNotNull(refusal("POST", "http://127.0.0.1:3000", "127.0.0.1:8080", true), "another port of the same host is another site");
    assertNotNull(refusal("POST", "null", "127.0.0.1:8080", true), "a sandboxed page or a file");
    assertNotNull(refusal("PATCH", "http://evil.example", "profiles.example.com", false));
    assertNotNull(refusal("POST", "http://127.0.0.1:8080", null, true), "no Host to compare with");
    assertNotNull(refusal("POST", "not a uri", "127.0.0.1:8080", true));
    assertNotNull(refusal("POST", "http://profiles.example.com:8080", "profiles.example.com:x", false));
  }

  @Test
  void anOpenNodeTakesBrowserWritesUnderLoopbackNamesOnly() {
    // DNS rebinding: the page's own name resolves to 127.0.0.1, so its Origin equals the Host.
    assertNotNull(refusal("POST", "http://rebind.example:8080", "rebind.example:8080", true));
    assertNull(refusal("POST", "http://rebind.example:8080", "rebind.example:8080", false), "with API keys a page has no key to send");
    assertNotNull(refusal("POST", "http://127.0.0.1.rebind.example:8080", "127.0.0.1.rebind.example:8080", true), "a name, not an address");
    assertNotNull(refusal("POST", "http://127.rebind.example:8080", "127.rebind.example:8080", true));
    assertNull(refusal("POST", "http://127.0.0.2:8080", "127.0.0.2:8080", true));
  }
}
