package dev.profileengine.gateway.wire;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profileengine.engine.profiles.Linked;
import dev.profileengine.profile.FieldError;
import dev.profileengine.profile.identity.IdentityClaim;
import dev.profileengine.profile.identity.IdentityRules;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Identities on the wire, shared by HTTP and gRPC: the body of {@code identify} and {@code unmerge}
 * ({@code {"userId", "anonymousId", "identities": {type: value}}}), the {@code identities} of an
 * event, and the answer naming the canonical profile. Values are checked and hashed by the facade;
 * this only reads shapes, and refuses type names no rule could know before they are echoed back.
 */
public final class IdentityWire {
  private IdentityWire() {}

  /** At most this many typed identities in one request or event (the rules' limit per profile is larger only across requests). */
  public static final int MAX_TYPED = 16;
  private static final Set<String> CLAIM_FIELDS = Set.of("userId", "anonymousId", "identities");

  /** The answer to identify or unmerge: the canonical profile's key and its identities by type. */
  public record LinkedBody(String userId, Map<String, List<String>> identities) {
    public static LinkedBody of(Linked linked) {
      return new LinkedBody(linked.canonical(), linked.identities());
    }
  }

  /** A claim as read from a request, or the first field that is wrong. */
  public record Read(IdentityClaim claim, FieldError error) {}

  /** The claim of an identify or unmerge body: an object of exactly the claim's fields, of the right types. */
  public static Read claim(JsonNode root) {
    if (root == null || !root.isObject()) {
      return new Read(null, new FieldError("body", "expected a JSON object {\"userId\", \"anonymousId\", \"identities\"}, was " + EventJson.kind(root)));
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!CLAIM_FIELDS.contains(name)) {
        return new Read(null, new FieldError(RequestChecks.shown(name), "unknown field: expected userId, anonymousId or identities"));
      }
    }
    List<FieldError> errors = new ArrayList<>(0);
    String userId = id(root.get("userId"), "userId", errors);
    String anonymousId = id(root.get("anonymousId"), "anonymousId", errors);
    Map<String, String> identities = identities(root.get("identities"), errors);
    if (!errors.isEmpty()) return new Read(null, errors.get(0));
    return new Read(new IdentityClaim(userId, anonymousId, identities), null);
  }

  /** An id field: a string, or an integer as events accept them; null when absent. */
  public static String id(JsonNode v, String field, List<FieldError> errors) {
    if (v == null || v.isNull() || v.isMissingNode()) return null;
    if (v.isTextual()) return v.textValue();
    if (v.isIntegralNumber()) return v.bigIntegerValue().toString();
    errors.add(new FieldError(field, "must be a string, was " + EventJson.kind(v)));
    return null;
  }

  /** {@code identities}: an object of type name to string value; null when absent. */
  public static Map<String, String> identities(JsonNode v, List<FieldError> errors) {
    if (v == null || v.isNull() || v.isMissingNode()) return null;
    if (!v.isObject()) {
      errors.add(new FieldError("identities", "must be an object of identity type to value, e.g. {\"email\": \"ann@example.com\"}, was " + EventJson.kind(v)));
      return null;
    }
    Map<String, JsonNode> raw = new LinkedHashMap<>();
    v.fields().forEachRemaining(f -> raw.put(f.getKey(), f.getValue()));
    FieldError bad = typeNames(raw.keySet());
    if (bad != null) {
      errors.add(bad);
      return null;
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> f : raw.entrySet()) {
      if (!f.getValue().isTextual()) {
        errors.add(new FieldError("identities." + f.getKey(), "must be a string, was " + EventJson.kind(f.getValue())));
        return null;
      }
      out.put(f.getKey(), f.getValue().textValue());
    }
    return out;
  }

  /** The first problem with the type names of {@code identities} (before any is echoed in a field name), else null. */
  public static FieldError typeNames(java.util.Collection<String> types) {
    if (types.size() > MAX_TYPED) return new FieldError("identities", "at most " + MAX_TYPED + " identity types per request, was " + types.size());
    String misspelled = IdentityRules.misspelledType(types);
    return misspelled == null ? null : new FieldError("identities", misspelled);
  }

  /** The field that names the first identity of {@code claim} (for "not linked" answers). */
  public static String field(IdentityClaim claim) {
    if (claim.userId() != null) return "userId";
    if (claim.anonymousId() != null) return "anonymousId";
    return claim.identities().isEmpty() ? "identities" : "identities." + claim.identities().keySet().iterator().next();
  }

  /** The first identity of {@code claim} as {@code type:value}, for messages. */
  public static String named(IdentityClaim claim) {
    if (claim.userId() != null) return "userId:" + RequestChecks.shown(claim.userId());
    if (claim.anonymousId() != null) return "anonymousId:" + RequestChecks.shown(claim.anonymousId());
    // A typed value may be personal data (an e-mail address): named by its type only.
    return claim.identities().isEmpty() ? "identity" : "the " + claim.identities().keySet().iterator().next() + " identity";
  }
}
