package dev.profileengine.model.registry;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.profileengine.model.ModelLoadException;
import dev.profileengine.model.encoding.BehaviorStats;
import dev.profileengine.model.encoding.CategoryVocabulary;
import dev.profileengine.model.encoding.EncodingSpec;
import dev.profileengine.model.encoding.FeatureScaler;
import dev.profileengine.model.encoding.SequenceEncoder;
import dev.profileengine.model.encoding.SummaryFeatures;
import dev.profileengine.model.nn.HyperParams;
import dev.profileengine.model.nn.NetShape;
import dev.profileengine.model.nn.OutputPolicy;
import dev.profileengine.model.recommend.Popularity;
import dev.profileengine.profile.BehaviorType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A registry version in memory, minus the network weights: manifest, encoder and output policy.
 * Reads and writes the JSON files of a version directory.
 */
public record ModelBundle(Path dir, Manifest manifest, SequenceEncoder encoder, OutputPolicy policy) {
  public static final String MANIFEST = "manifest.json";
  public static final String VOCABULARY = "vocabulary.json";
  public static final String PARAMS_PREFIX = "next-behavior";
  public static final String PARAMS_FILE = PARAMS_PREFIX + "-0000.params";

  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  public static ObjectMapper json() {
    return JSON;
  }

  public String version() {
    return manifest.version();
  }

  /**
   * The version's global category popularity ({@code popularity.json}), read from {@link #dir()}
   * on each call; {@link Popularity#empty()} when the version has none.
   *
   * @throws ModelLoadException when the file exists but cannot be read
   */
  public Popularity popularity() {
    return Popularity.readOrEmpty(dir);
  }

  public HyperParams hyperParams() {
    return manifest.hyperParameters();
  }

  public boolean[] activeTypeMask() {
    return encoder.stats().activeMask();
  }

  public NetShape netShape() {
    return netShape(encoder, encoder.featureCount());
  }

  /** The network shape for {@code encoder}'s inputs with {@code featureCount} summary features (an experiment may append some). */
  public static NetShape netShape(SequenceEncoder encoder, int featureCount) {
    EncodingSpec spec = encoder.spec();
    return new NetShape(spec.sequenceLength(), EncodingSpec.typeTokenCount(), encoder.vocabulary().tokenCount(),
        spec.gapTokenCount(), featureCount, encoder.stats().activeMask());
  }

  /** The manifest's encoding section for a fitted encoder. */
  public static Manifest.Encoding describe(SequenceEncoder e) {
    Map<String, Double> prior = new LinkedHashMap<>();
    for (BehaviorType t : BehaviorType.values()) prior.put(t.wire(), e.stats().prior()[t.ordinal()]);
    return new Manifest.Encoding(e.spec().sequenceLength(), e.spec().contextLimit(), e.spec().gapBoundsSeconds(),
        e.stats().activeTypes().stream().map(BehaviorType::wire).toList(), prior, e.stats().transitions(),
        SummaryFeatures.names(e.stats(), e.summary()), e.scaler().mean(), e.scaler().std(), e.vocabulary().tokenCount(), e.summary());
  }

  public static Manifest.Decision describe(OutputPolicy p) {
    Map<String, Double> bias = new LinkedHashMap<>();
    for (BehaviorType t : BehaviorType.values()) bias.put(t.wire(), p.logBias()[t.ordinal()]);
    return new Manifest.Decision(
        "p = softmax((1 - markovWeight) logits / temperature + markovWeight log p_userMarkov) over the active types, "
            + "unseen types " + OutputPolicy.UNSEEN_PROBABILITY + " each; predicted type = argmax_t log p(t) + logBias[t]; "
            + "categories = top-10 of (1 - categoryBlend) p_model(c) + categoryBlend p_user(c), p_user weighted recencyDecay^age",
        p.temperature(), p.markovWeight(), bias, p.categoryBlend(), p.recencyDecay());
  }

  /** Writes manifest.json and vocabulary.json (the parameters are written by DJL). */
  public static void writeJson(Path dir, Manifest manifest, CategoryVocabulary vocab) {
    try {
      Files.createDirectories(dir);
      JSON.writeValue(dir.resolve(MANIFEST).toFile(), manifest);
      Map<String, Object> v = new LinkedHashMap<>();
      v.put("reserved", List.of("<pad>", "<oov>", "<none>"));
      v.put("firstCategoryToken", CategoryVocabulary.FIRST);
      v.put("categories", vocab.categories());
      JSON.writeValue(dir.resolve(VOCABULARY).toFile(), v);
    } catch (IOException e) {
      throw new ModelLoadException("cannot write model files to " + dir, e);
    }
  }

  public static void writeManifest(Path dir, Manifest manifest) {
    try {
      JSON.writeValue(dir.resolve(MANIFEST).toFile(), manifest);
    } catch (IOException e) {
      throw new ModelLoadException("cannot write " + dir.resolve(MANIFEST), e);
    }
  }

  /** Reads a version directory (manifest, vocabulary) and rebuilds encoder and policy. */
  public static ModelBundle read(Path dir) {
    Path mf = dir.resolve(MANIFEST);
    if (!Files.isRegularFile(mf)) throw new ModelLoadException("no " + MANIFEST + " in " + dir);
    try {
      Manifest m = JSON.readValue(mf.toFile(), Manifest.class);
      if (m.formatVersion() > Manifest.FORMAT_VERSION)
        throw new ModelLoadException("manifest format " + m.formatVersion() + " is newer than this code (" + Manifest.FORMAT_VERSION + ")");
      Map<String, Object> v = JSON.readValue(dir.resolve(VOCABULARY).toFile(), new TypeReference<Map<String, Object>>() {});
      @SuppressWarnings("unchecked")
      List<String> cats = (List<String>) v.get("categories");
      CategoryVocabulary vocab = new CategoryVocabulary(cats);
      Manifest.Encoding enc = m.encoding();
      // Serving feeds the summary features from a profile's 50 behaviors and history counters; a
      // model trained on another summary would get inputs it never saw, so it is refused (retrain).
      // Each known contract is still computed, so a model is served the one it names.
      if (!SummaryFeatures.supported(enc.summary()))
        throw new ModelLoadException("model " + m.version() + " was trained on summary contract "
            + (enc.summary() == null ? "'last 1,024 behaviors'" : "'" + enc.summary() + "'") + ", this build feeds "
            + SummaryFeatures.CONTRACTS + " (whole-history counters): retrain it");
      if (vocab.tokenCount() != enc.categoryTokens())
        throw new ModelLoadException("vocabulary has " + vocab.tokenCount() + " tokens, manifest says " + enc.categoryTokens());
      List<BehaviorType> active = new ArrayList<>();
      for (String w : enc.activeTypes())
        active.add(BehaviorType.fromWire(w).orElseThrow(() -> new ModelLoadException("unknown behavior type " + w)));
      double[] prior = new double[BehaviorType.count()];
      for (BehaviorType t : BehaviorType.values()) prior[t.ordinal()] = enc.prior().getOrDefault(t.wire(), 0.0);
      BehaviorStats stats = new BehaviorStats(active, prior, enc.transitions());
      SequenceEncoder encoder = new SequenceEncoder(new EncodingSpec(enc.sequenceLength(), enc.contextLimit(), enc.gapBoundsSeconds()),
          vocab, stats, new FeatureScaler(enc.featureMean(), enc.featureStd()), enc.summary());
      if (encoder.featureCount() != enc.featureMean().length)
        throw new ModelLoadException("manifest has " + enc.featureMean().length + " features, this code computes " + encoder.featureCount());
      Manifest.Decision d = m.decision();
      double[] bias = new double[BehaviorType.count()];
      for (BehaviorType t : BehaviorType.values()) bias[t.ordinal()] = d.logBias().getOrDefault(t.wire(), 0.0);
      OutputPolicy policy = new OutputPolicy(d.temperature(), d.markovWeight(), bias, d.categoryBlend(), d.recencyDecay());
      return new ModelBundle(dir, m, encoder, policy);
    } catch (IOException | RuntimeException e) {
      if (e instanceof ModelLoadException mle) throw mle;
      throw new ModelLoadException("cannot read model version in " + dir + ": " + e.getMessage(), e);
    }
  }
}
