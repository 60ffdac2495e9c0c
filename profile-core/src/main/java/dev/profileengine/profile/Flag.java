package dev.profileengine.profile;

/**
 * One raised anomaly flag.
 *
 * @param name e.g. {@code "impossible_travel"}, see {@link RiskFlags}
 * @param reason short human- and machine-friendly explanation with the numbers behind it
 */
public record Flag(String name, String reason) {}
