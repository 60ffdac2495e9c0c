package dev.profileengine.profile;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** Numbers in reason texts, as {@code String.format("%.Nf")} writes them at a fraction of its cost (every profile read pays it). */
public final class Decimals {
  private Decimals() {}

  /** {@code value} with {@code places} decimals, rounded half up from its shortest decimal form, as {@code %.Nf} in {@code Locale.ROOT}. */
  public static String fixed(double value, int places) {
    if (!Double.isFinite(value)) return Double.toString(value);
    String digits = BigDecimal.valueOf(value).setScale(places, RoundingMode.HALF_UP).toPlainString();
    // BigDecimal has no negative zero; %f keeps the sign.
    return (value < 0 || (value == 0 && 1 / value < 0)) && digits.charAt(0) != '-' ? "-" + digits : digits;
  }
}
