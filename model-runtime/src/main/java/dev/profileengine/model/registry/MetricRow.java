package dev.profileengine.model.registry;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One row of the evaluation: null where a predictor does not predict that head (a category
 * baseline has no behavior metrics and vice versa).
 *
 * @param categoryHitRateAt10 per predicted event
 * @param categoryRecallAt10 per user, with the list made at the split
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record MetricRow(Double accuracy, Double macroF1, Double logLoss, Double categoryHitRateAt10,
    Double categoryRecallAt10) {}
