package dev.profileengine.model.train;

import ai.djl.Model;
import dev.profileengine.data.DataFiles;
import dev.profileengine.model.ModelLoadException;
import dev.profileengine.model.dataset.BehaviorDataset;
import dev.profileengine.model.dataset.ChronologicalSplit;
import dev.profileengine.model.encoding.BehaviorStats;
import dev.profileengine.model.encoding.UserContext;
import dev.profileengine.model.encoding.CategoryVocabulary;
import dev.profileengine.model.encoding.EncodedSequence;
import dev.profileengine.model.encoding.FeatureScaler;
import dev.profileengine.model.encoding.SequenceEncoder;
import dev.profileengine.model.eval.EvaluationReport;
import dev.profileengine.model.eval.Evaluator;
import dev.profileengine.model.inference.BehaviorPredictor;
import dev.profileengine.model.inference.NextBehaviorModel;
import dev.profileengine.model.nn.NetOutput;
import dev.profileengine.model.nn.NetShape;
import dev.profileengine.model.nn.OutputPolicy;
import dev.profileengine.model.recommend.Popularity;
import dev.profileengine.model.registry.Manifest;
import dev.profileengine.model.registry.MetricRow;
import dev.profileengine.model.registry.ModelBundle;
import dev.profileengine.model.registry.ModelRegistry;
import dev.profileengine.profile.BehaviorHistory;
import dev.profileengine.profile.RecentBehavior;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * End to end: read data, split per user, fit vocabulary/statistics/scaler on the history part,
 * train with early stopping on its validation part, fit the output policy on that validation
 * part, write the registry version, reload it from disk and evaluate it (and the baselines) on
 * the held-out events; the metrics go into the manifest.
 */
public final class TrainPipeline {
  private TrainPipeline() {}

  /**
   * @param probeContexts a few validation contexts
   * @param probePredictions what the trained network predicted for them in memory, before it was
   *     saved (a reloaded version must predict the same)
   */
  public record Outcome(Path versionDir, Manifest manifest, EvaluationReport report,
      List<UserContext> probeContexts, List<dev.profileengine.model.inference.Prediction> probePredictions) {}

  public static Outcome run(TrainOptions o, PrintStream progress) {
    long t0 = System.nanoTime();
    ModelRegistry registry = new ModelRegistry(o.registry());
    Path dir = registry.versionDir(o.version());
    if (Files.exists(dir)) throw new IllegalArgumentException("model version " + o.version() + " already exists in " + o.registry());
    BehaviorDataset data = BehaviorDataset.load(o.data(), o.format(), b -> {});
    progress.printf("data: %s, %d events, %d users, %d bad lines%n", o.data().getFileName(), data.events(), data.userCount(), data.badLines());

    List<List<RecentBehavior>> history = Evaluator.historyParts(data, o.split());
    BehaviorStats stats = BehaviorStats.fit(history);
    List<String> cats = new ArrayList<>();
    history.forEach(h -> h.forEach(b -> cats.add(b.categoryId())));
    CategoryVocabulary vocab = CategoryVocabulary.build(cats, o.minCategoryCount(), o.maxCategories());
    SequenceEncoder raw = new SequenceEncoder(o.encoding(), vocab, stats, FeatureScaler.identity(0), o.summary());
    raw = new SequenceEncoder(o.encoding(), vocab, stats, FeatureScaler.identity(raw.featureCount()), o.summary());
    ItemRepeat repeat = o.itemRepeat() ? ItemRepeat.load(o.data(), o.format(), data, stats.activeTypes()) : null;
    int featureCount = raw.featureCount() + (repeat == null ? 0 : repeat.count());

    Examples.Builder tb = new Examples.Builder();
    Examples.Builder vb = new Examples.Builder();
    int window = o.encoding().sequenceLength();
    for (Map.Entry<String, List<RecentBehavior>> user : data.users().entrySet()) {
      List<RecentBehavior> seq = user.getValue();
      int h = o.split().historyLength(seq.size());
      int vs = o.split().validationStart(h);
      // The counters of every event before the target, folded as a profile folds them.
      BehaviorHistory before = BehaviorHistory.empty().with(seq.get(0));
      ItemRepeat.Folder items = repeat == null ? null : repeat.new Folder(user.getKey());
      if (items != null) items.add(0, seq.get(0).type());
      for (int j = 1; j < h; j++) {
        UserContext c = new UserContext(seq.subList(Math.max(0, j - window), j), before);
        EncodedSequence e = raw.encode(c);
        if (items != null)
          e = new EncodedSequence(e.types(), e.categories(), e.gaps(), ItemRepeat.concat(e.features(), items.features(j - 1, seq.get(j - 1).type())));
        (j < vs ? tb : vb).add(e, c, seq.get(j), vocab.token(seq.get(j).categoryId()));
        before = before.with(seq.get(j));
        if (items != null) items.add(j, seq.get(j).type());
      }
    }
    Examples rawTrain = tb.build();
    Examples rawVal = vb.build();
    if (rawTrain.size() == 0) throw new IllegalArgumentException("no training examples: users need at least 3 events");
    FeatureScaler scaler = FeatureScaler.fit(rawTrain.inputs().stream().map(EncodedSequence::features).toList(), featureCount);
    Examples train = rawTrain.scaled(scaler);
    Examples val = rawVal.scaled(scaler);
    if (repeat != null) return itemRepeatExperiment(o, raw, train, val, progress);
    SequenceEncoder encoder = new SequenceEncoder(o.encoding(), vocab, stats, scaler, o.summary());
    progress.printf("examples: %d train, %d validation; vocabulary %d categories (+3 reserved tokens); %d summary features; types %s%n",
        train.size(), val.size(), vocab.categories().size(), encoder.featureCount(), stats.activeTypes());

    Manifest draft = new Manifest(Manifest.FORMAT_VERSION, o.version(), Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
        architecture(o.hyperParams()),
        new Manifest.TrainingData(DataFiles.dataName(o.data()), data.sha256(), o.format().name().toLowerCase(), data.events(), data.userCount()),
        describe(o.split()),
        o.hyperParams(), ModelBundle.describe(encoder), ModelBundle.describe(OutputPolicy.neutral()), null, null,
        new Manifest.Files(ModelBundle.PARAMS_FILE, ModelBundle.VOCABULARY));
    ModelBundle bundle0 = new ModelBundle(dir, draft, encoder, OutputPolicy.neutral());
    NetShape shape = bundle0.netShape();

    long w0 = System.nanoTime();
    WarmStart warm = WarmStart.fit(train.inputs().stream().map(EncodedSequence::features).toList(), train.typeLabels(),
        bundle0.activeTypeMask(), 300, 1e-4);
    progress.printf(java.util.Locale.ROOT, "warm start: logistic regression on the summary features, %.1fs%n", (System.nanoTime() - w0) / 1e9);
    NetTrainer.Result r = NetTrainer.train(shape, o.hyperParams(), train, val, warm, progress);
    List<UserContext> probeContexts;
    List<dev.profileengine.model.inference.Prediction> probe;
    try (Model model = r.model()) {
      OutputPolicy policy;
      try (BehaviorPredictor p = NextBehaviorModel.of(bundle0, model).newPredictor()) {
        NetOutput valOut = forwardAll(p, val.inputs());
        policy = PolicyFitter.fit(valOut, val, stats, vocab, bundle0.activeTypeMask());
        double[][] markov = PolicyFitter.markov(val, stats);
        progress.printf(java.util.Locale.ROOT, "validation type log-loss: network %.4f, per-user Markov %.4f, calibrated pool %.4f%n",
            PolicyFitter.logLoss(OutputPolicy.neutral(), valOut, markov, val, bundle0.activeTypeMask()),
            PolicyFitter.logLoss(OutputPolicy.neutral().withMarkovWeight(1), valOut, markov, val, bundle0.activeTypeMask()),
            PolicyFitter.logLoss(policy, valOut, markov, val, bundle0.activeTypeMask()));
      }
      progress.printf(java.util.Locale.ROOT, "output policy: temperature %.2f, markov weight %.2f, decision log-bias %s, category blend %.1f%n",
          policy.temperature(), policy.markovWeight(), ModelBundle.describe(policy).logBias(), policy.categoryBlend());
      Manifest.Training training = new Manifest.Training(r.epochsRun(), r.bestEpoch(), r.validationTypeLogLoss(),
          r.validationCategoryLogLoss(), train.size(), val.size(), 0, r.log());
      Manifest m = with(draft, ModelBundle.describe(policy), training, null);
      probeContexts = val.contexts().subList(0, Math.min(16, val.size()));
      try (BehaviorPredictor p = NextBehaviorModel.of(new ModelBundle(dir, m, encoder, policy), model).newPredictor()) {
        probe = p.predict(probeContexts);
      }
      Files.createDirectories(dir);
      model.save(dir, ModelBundle.PARAMS_PREFIX);
      ModelBundle.writeJson(dir, m, vocab);
      popularity(data, o.split(), Popularity.DEFAULT_TOP).write(dir.resolve(Popularity.FILE));
    } catch (IOException e) {
      throw new ModelLoadException("cannot save model to " + dir, e);
    }

    // Evaluate what was written, loaded back from disk exactly as serving loads it.
    EvaluationReport report;
    try (NextBehaviorModel saved = NextBehaviorModel.load(dir); ModelScorer scorer = new ModelScorer(saved)) {
      report = Evaluator.evaluate(data, o.split(), scorer);
      Manifest m = saved.bundle().manifest();
      Map<String, MetricRow> metrics = new LinkedHashMap<>();
      report.rows().forEach((k, row) -> metrics.put(k, row.metrics()));
      Manifest.Training tr = m.training();
      Manifest.Training timed = new Manifest.Training(tr.epochsRun(), tr.bestEpoch(), tr.validationTypeLogLoss(),
          tr.validationCategoryLogLoss(), tr.trainExamples(), tr.validationExamples(),
          Math.round((System.nanoTime() - t0) / 1e8) / 10.0, tr.epochLog());
      Manifest done = with(m, m.decision(), timed, metrics);
      ModelBundle.writeManifest(dir, done);
      if (o.activate()) registry.activate(o.version());
      return new Outcome(dir, done, report, probeContexts, probe);
    }
  }

  /**
   * Trains on examples with the item-repeat features appended and reports the validation type
   * log-loss (network alone, as the manifest's {@code validationTypeLogLoss}); nothing is written.
   */
  private static Outcome itemRepeatExperiment(TrainOptions o, SequenceEncoder raw, Examples train, Examples val, PrintStream progress) {
    int f = train.inputs().get(0).features().length;
    progress.printf("experiment: item-repeat features (offline only, not servable): %d train, %d validation examples, %d summary features%n",
        train.size(), val.size(), f);
    boolean[] active = raw.stats().activeMask();
    NetShape shape = ModelBundle.netShape(raw, f);
    long w0 = System.nanoTime();
    WarmStart warm = WarmStart.fit(train.inputs().stream().map(EncodedSequence::features).toList(), train.typeLabels(), active, 300, 1e-4);
    progress.printf(java.util.Locale.ROOT, "warm start: logistic regression on the summary features, %.1fs%n", (System.nanoTime() - w0) / 1e9);
    NetTrainer.Result r = NetTrainer.train(shape, o.hyperParams(), train, val, warm, progress);
    r.model().close();
    progress.printf(java.util.Locale.ROOT, "experiment result: validation type log-loss %.4f (best epoch %d), category log-loss %.4f; no version written%n",
        r.validationTypeLogLoss(), r.bestEpoch(), r.validationCategoryLogLoss());
    return null;
  }

  /** The manifest's description of a split; {@link #parseSplit} reads it back. */
  public static String describe(ChronologicalSplit split) {
    return "per user chronological: first floor(" + split.historyFraction() + " n) events history (training), rest held out; "
        + "last " + split.validationFraction() + " of each user's history targets = validation (early stopping, calibration, decision rule)";
  }

  private static final Pattern SPLIT = Pattern.compile("first floor\\(([0-9.]+) n\\).*last ([0-9.]+) of each user's history");

  /** The split a manifest's {@code split} description names ({@link #describe} wrote it). */
  public static ChronologicalSplit parseSplit(String description) {
    Matcher m = description == null ? null : SPLIT.matcher(description);
    if (m == null || !m.find()) throw new IllegalArgumentException("not a split description: " + description);
    return new ChronologicalSplit(Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)));
  }

  /** The global popularity of the history part of {@code data} under {@code split}, with provenance. */
  public static Popularity popularity(BehaviorDataset data, ChronologicalSplit split, int top) {
    return Popularity.fit(Evaluator.historyParts(data, split), top,
        data.source() == null ? null : DataFiles.dataName(data.source()), data.sha256(),
        "history part: " + describe(split));
  }

  static String architecture(dev.profileengine.model.nn.HyperParams hp) {
    String encoder = hp.attention()
        ? String.format(java.util.Locale.ROOT, "linear(%d) + learned positions -> %d pre-norm self-attention layer(s) (%d heads, "
            + "feed-forward %d, padding masked) -> output at the last position h", hp.hidden(), hp.layers(), hp.heads(), 2 * hp.hidden())
        : String.format(java.util.Locale.ROOT, "GRU(%d)", hp.hidden());
    return String.format(java.util.Locale.ROOT, "embeddings(type %d, category %d, gap %d) -> %s -> [h, summary features] -> "
        + "per-head dense(%d) relu (dropout %.1f on the type head) -> type head (+ wide linear on the features, warm-started "
        + "from a logistic regression) and category head", hp.typeEmbedding(), hp.categoryEmbedding(), hp.gapEmbedding(),
        encoder, hp.dense(), hp.dropout());
  }

  static NetOutput forwardAll(BehaviorPredictor p, List<EncodedSequence> inputs) {
    List<NetOutput> parts = new ArrayList<>();
    for (int from = 0; from < inputs.size(); from += 512) parts.add(p.forward(inputs.subList(from, Math.min(inputs.size(), from + 512))));
    return NetOutput.concat(parts);
  }

  private static Manifest with(Manifest m, Manifest.Decision d, Manifest.Training t, Map<String, MetricRow> metrics) {
    return new Manifest(m.formatVersion(), m.version(), m.created(), m.architecture(), m.trainingData(), m.split(),
        m.hyperParameters(), m.encoding(), d, t, metrics, m.files());
  }
}
