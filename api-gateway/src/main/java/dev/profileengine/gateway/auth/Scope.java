package dev.profileengine.gateway.auth;

import java.util.Locale;

/** What an API key may do. {@code admin} includes the other two. */
public enum Scope {
  INGEST, READ, ADMIN;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Scope parse(String s) {
    for (Scope v : values()) if (v.wire().equals(s.strip().toLowerCase(Locale.ROOT))) return v;
    throw new IllegalArgumentException("unknown scope '" + s + "': expected ingest, read or admin");
  }
}
