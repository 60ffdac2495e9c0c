package dev.profileengine.model.registry;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.profileengine.model.nn.HyperParams;
import java.util.List;
import java.util.Map;

/**
 * {@code manifest.json} of a registry version: everything needed to rebuild the encoder, the
 * network and the output policy, plus provenance and metrics.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Manifest(
    int formatVersion,
    String version,
    String created,
    String architecture,
    TrainingData trainingData,
    String split,
    HyperParams hyperParameters,
    Encoding encoding,
    Decision decision,
    Training training,
    Map<String, MetricRow> metrics,
    Files files) {

  public static final int FORMAT_VERSION = 1;

  /** The training file: name (not path, so the manifest is machine independent) and content hash. */
  public record TrainingData(String file, String sha256, String format, long events, int users) {}

  /**
   * The encoding contract's fitted state.
   *
   * @param activeTypes wire names of the types occurring in training
   * @param prior global type frequency, by wire name
   * @param transitions row = previous type ordinal, column = next type ordinal
   * @param summary the summary-feature contract the model was trained on ({@code SummaryFeatures.CONTRACT});
   *     absent in models trained before the history counters (summaries of the last 1,024 behaviors)
   */
  public record Encoding(int sequenceLength, int contextLimit, long[] gapBoundsSeconds, List<String> activeTypes,
      Map<String, Double> prior, double[][] transitions, List<String> featureNames, float[] featureMean,
      float[] featureStd, int categoryTokens, String summary) {}

  /** The output policy (see {@code OutputPolicy}) with a description of the rule. */
  public record Decision(String rule, double temperature, double markovWeight, Map<String, Double> logBias, double categoryBlend,
      double recencyDecay) {}

  public record Training(int epochsRun, int bestEpoch, double validationTypeLogLoss, double validationCategoryLogLoss,
      long trainExamples, long validationExamples, double seconds, List<String> epochLog) {}

  public record Files(String parameters, String vocabulary) {}
}
