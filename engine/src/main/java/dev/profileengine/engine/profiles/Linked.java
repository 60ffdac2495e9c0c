package dev.profileengine.engine.profiles;

import java.util.List;
import java.util.Map;

/**
 * Where identities ended after an identify or unmerge: the canonical profile's key (a user id, or
 * {@code ~type:value} for a profile without one) and its identities by type, values sorted.
 */
public record Linked(String canonical, Map<String, List<String>> identities) {}
