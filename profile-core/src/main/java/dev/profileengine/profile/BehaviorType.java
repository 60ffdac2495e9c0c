package dev.profileengine.profile;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The behavior vocabulary shared by the profile domain, the encoding contract and the API.
 * The wire name is the lower-case JSON spelling; the ordinal is stable (append only) because
 * profiles store per-type counters in arrays indexed by it and models encode it as a token.
 */
public enum BehaviorType {
  VIEW("view"),
  CLICK("click"),
  FAVORITE("favorite"),
  CART("cart"),
  PURCHASE("purchase"),
  SEARCH("search");

  private static final BehaviorType[] VALUES = values();

  private final String wire;

  BehaviorType(String wire) {
    this.wire = wire;
  }

  /** The JSON spelling, e.g. {@code "favorite"}. */
  public String wire() {
    return wire;
  }

  public static int count() {
    return VALUES.length;
  }

  public static BehaviorType ofIndex(int index) {
    return VALUES[index];
  }

  public static Optional<BehaviorType> fromWire(String name) {
    if (name == null) return Optional.empty();
    String n = name.toLowerCase(Locale.ROOT);
    for (BehaviorType t : VALUES) if (t.wire.equals(n)) return Optional.of(t);
    return Optional.empty();
  }

  /** Taobao UserBehavior codes: pv, fav, cart, buy. */
  public static Optional<BehaviorType> fromTaobao(String code) {
    return switch (code) {
      case "pv" -> Optional.of(VIEW);
      case "fav" -> Optional.of(FAVORITE);
      case "cart" -> Optional.of(CART);
      case "buy" -> Optional.of(PURCHASE);
      default -> Optional.empty();
    };
  }

  public static String wireNames() {
    return String.join(", ", Arrays.stream(VALUES).map(BehaviorType::wire).toList());
  }
}
