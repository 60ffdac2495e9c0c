package dev.profileengine.gateway.auth;

import dev.profileengine.engine.node.SecretStrength;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The configured API keys, kept only as SHA-256 hashes with their scopes: the keys themselves are
 * never stored or logged. Parsed from {@code key=scope+scope} entries, e.g.
 * {@code PROFILE_API_KEYS=k1=ingest+read,k2=admin}.
 */
public final class ApiKeys {
  /** Who presented a valid key: a short non-secret id (hash prefix) and the scopes. */
  public record Caller(String id, Set<Scope> scopes) {
    /** The id of an open node's caller (no keys configured): every client is this one caller. */
    public static final String OPEN = "anonymous";

    public boolean may(Scope scope) {
      return scopes.contains(scope) || scopes.contains(Scope.ADMIN);
    }

    /** The key a per-key cap counts this caller under; empty for an open node's caller, whom all its clients share. */
    public java.util.Optional<String> capKey() {
      return id.equals(OPEN) ? java.util.Optional.empty() : java.util.Optional.of(id);
    }
  }

  private final Map<String, Caller> byHash;

  private ApiKeys(Map<String, Caller> byHash) {
    this.byHash = Map.copyOf(byHash);
  }

  public static ApiKeys parse(List<String> entries) {
    Map<String, Caller> keys = new HashMap<>();
    for (String raw : entries) {
      String entry = raw.strip();
      if (entry.isEmpty()) continue;
      int eq = entry.lastIndexOf('=');
      if (eq < 1 || eq == entry.length() - 1) {
        throw new IllegalArgumentException("API key entry must be key=scope+scope (e.g. k1=ingest+read), got an entry of "
            + entry.length() + " characters without one");
      }
      String key = entry.substring(0, eq);
      // A placeholder or guessable key is a publicly known key: refuse to start with it.
      int n = keys.size() + 1;
      SecretStrength.weakness(key).ifPresent(weak -> {
        throw new IllegalStateException("refusing to start: PROFILE_API_KEYS entry " + n + " is not a usable key (" + weak + "); "
            + SecretStrength.advice());
      });
      Set<Scope> scopes = EnumSet.noneOf(Scope.class);
      for (String s : entry.substring(eq + 1).split("\\+")) scopes.add(Scope.parse(s));
      String hash = sha256(key);
      keys.put(hash, new Caller("key-" + hash.substring(0, 8), Set.copyOf(scopes)));
    }
    return new ApiKeys(keys);
  }

  /** Parses the comma-separated form of {@code PROFILE_API_KEYS}. */
  public static ApiKeys parse(String commaSeparated) {
    return parse(commaSeparated == null ? List.of() : List.of(commaSeparated.split(",")));
  }

  public boolean isEmpty() {
    return byHash.isEmpty();
  }

  public int size() {
    return byHash.size();
  }

  public Optional<Caller> lookup(String presentedKey) {
    return Optional.ofNullable(byHash.get(sha256(presentedKey)));
  }

  static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
