package dev.profileengine.profile.identity;

import dev.profileengine.profile.Identity;

import dev.profileengine.profile.EventValidation;
import dev.profileengine.profile.FieldError;
import dev.profileengine.profile.PiiPolicy;
import dev.profileengine.profile.TextChecks;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Identities as a client sends them (on {@code identify}, {@code unmerge} or an event): a user id,
 * an anonymous id and typed ones ({@code {"email": "...", "device": "..."}}). {@link #resolve}
 * checks them against the rules and hashes the values of PII types with the node's salt, so no
 * address or phone number is ever journaled or used as a key.
 */
public record IdentityClaim(String userId, String anonymousId, Map<String, String> identities) {
  public IdentityClaim {
    identities = identities == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(identities));
  }

  /** The identities it names, or the fields that are wrong. */
  public record Resolved(List<Identity> identities, List<FieldError> errors) {
    public boolean ok() {
      return errors.isEmpty();
    }
  }

  public Resolved resolve(IdentityRules rules, PiiPolicy pii) {
    List<FieldError> errors = new ArrayList<>();
    List<Identity> out = new ArrayList<>();
    if (userId != null) add(out, errors, Identity.USER_ID, userId, "userId", rules, pii);
    if (anonymousId != null) add(out, errors, Identity.ANONYMOUS_ID, anonymousId, "anonymousId", rules, pii);
    identities.forEach((type, value) -> {
      // A type spelled as none may be is not named, not even in the field.
      String field = IdentityRules.typeName(type) ? "identities." + type : "identities";
      String unknown = rules.unknownType(type);
      if (Identity.USER_ID.equals(type) || Identity.ANONYMOUS_ID.equals(type))
        errors.add(new FieldError(field, "send " + type + " as its own field"));
      else if (unknown != null)
        errors.add(new FieldError(field, unknown));
      else add(out, errors, type, value, field, rules, pii);
    });
    if (errors.isEmpty() && out.isEmpty()) errors.add(new FieldError("userId", "is missing, and so are anonymousId and identities: name at least one identity"));
    return new Resolved(List.copyOf(out), List.copyOf(errors));
  }

  private static void add(List<Identity> out, List<FieldError> errors, String type, String value, String field, IdentityRules rules, PiiPolicy pii) {
    String badText = value == null || value.isBlank() ? "must not be blank" : TextChecks.profileId(value, EventValidation.MAX_ID_LENGTH);
    if (badText != null) {
      errors.add(new FieldError(field, badText));
    } else if (rules.hashed(type) && pii.salt().isEmpty()) {
      // An unsalted hash of an address is reversed by hashing a list of addresses.
      errors.add(new FieldError(field, "is personal data and this node has no salt to hash it with (set PROFILE_PII_SALT)"));
    } else if (Identity.USER_ID.equals(type) && value.startsWith(Identity.TYPED_PREFIX)) {
      errors.add(new FieldError(field, "must not start with '" + Identity.TYPED_PREFIX + "' (reserved for other identity types)"));
    } else {
      out.add(new Identity(type, rules.hashed(type) ? pii.hash(value) : value));
    }
  }
}
