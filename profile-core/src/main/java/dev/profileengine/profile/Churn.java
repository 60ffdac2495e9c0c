package dev.profileengine.profile;

import java.util.List;

/**
 * How likely the user is to be churning, see {@link ChurnRisk}.
 *
 * @param risk 0 (engaged) .. 1 (gone), rounded to 3 decimals
 * @param reasons the contributing signals with their numbers: inactivity, activity decline, prediction
 */
public record Churn(double risk, List<String> reasons) {
  /** No events, no risk to speak of. */
  public static final Churn NONE = new Churn(0, List.of());
}
