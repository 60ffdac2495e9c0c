package dev.profileengine.model.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.profileengine.data.DataFormat;
import dev.profileengine.data.DataFormatException;
import dev.profileengine.model.ModelStoreException;
import dev.profileengine.model.dataset.BehaviorDataset;
import dev.profileengine.model.dataset.ChronologicalSplit;
import dev.profileengine.model.encoding.EncodingSpec;
import dev.profileengine.model.encoding.SummaryFeatures;
import dev.profileengine.model.eval.BatchScorer;
import dev.profileengine.model.eval.Bootstrap;
import dev.profileengine.model.eval.EvaluationReport;
import dev.profileengine.model.eval.Evaluator;
import dev.profileengine.model.eval.PngChart;
import dev.profileengine.model.eval.RecordingScorer;
import dev.profileengine.model.eval.ServedComparison;
import dev.profileengine.model.eval.SvgChart;
import dev.profileengine.model.eval.WeightSearch;
import dev.profileengine.model.inference.NextBehaviorModel;
import dev.profileengine.model.nn.HyperParams;
import dev.profileengine.model.recommend.Popularity;
import dev.profileengine.model.recommend.RecommendWeights;
import dev.profileengine.model.registry.EvaluationFile;
import dev.profileengine.model.registry.Manifest;
import dev.profileengine.model.registry.ModelBundle;
import dev.profileengine.model.registry.ModelRegistry;
import dev.profileengine.model.served.ServedEvaluationException;
import dev.profileengine.model.served.ServedPrediction;
import dev.profileengine.model.served.ServedReplay;
import dev.profileengine.model.train.ModelScorer;
import dev.profileengine.model.train.TrainOptions;
import dev.profileengine.model.train.TrainPipeline;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code java -jar model-store.jar train|evaluate|popularity|tune-weights ...}. Exit codes: 0 ok, 1 failure, 2 usage.
 */
public final class Main {
  static final String USAGE = """
      usage:
        train    --data FILE [--format taobao|json] [--registry DIR] [--version NAME] [--activate]
                 [--epochs N] [--seed N] [--hidden N] [--dense N] [--min-category-count N]
                 [--encoder gru|attention [--layers N] [--heads N]] [--summary CONTRACT]
                 [--experimental-item-repeat]
        evaluate --data FILE [--format taobao|json] [--model DIR] [--json] [--save]
                 [--bootstrap N] [--seed N] [--chart FILE.svg|FILE.png]
                 [--served URL [--served-wait SECONDS] [--served-window N]]
        popularity --data FILE [--format taobao|json] --model-dir DIR [--top N]
        tune-weights --data FILE [--format taobao|json] [--model DIR] [--step X]

      FILE may be gzip-compressed (e.g. samples/taobao-userbehavior-users.csv.gz): it is read, and
      its sha256 taken, decompressed.
      train writes <registry>/<version>/ (default registry: $PROFILE_MODELS_DIR, else ./models),
      --activate points <registry>/ACTIVE at it. evaluate without --model uses the default model:
      the active version of $PROFILE_MODELS_DIR, else the one packaged in this jar. --model takes a
      version directory or a registry directory (its active version); every metric gets a 95%
      percentile bootstrap interval over users (--bootstrap resamples, default 1000, 0 = none;
      --seed fixes them, default 1) and the model a paired difference to the best baseline;
      --chart writes the report as a chart (PNG for a *.png name, else SVG); --save (with --model)
      also writes the --json report as evaluation.json into the evaluated version's directory,
      where a node serves it (GET /v1/models/{version}/evaluation). --served URL also replays each
      user through the running node at URL (history part first, then the held-out events one at a
      time; API key from $PROFILE_API_KEY; users under fresh ids served-<run>-<user>) and scores the
      prediction the node stored as of exactly the events before each held-out event, side by side
      with the offline model (--json: a "served" entry next to "model"); a prediction that does not
      come within --served-wait seconds (default 20) is counted as dropped, never replaced. The
      offline model is also shown on a summary of the node's window alone, without history counters
      (--served-window, default 50: profile.recent-behaviors). popularity writes
      DIR/popularity.json from the history part of FILE under the split of DIR's manifest (FILE must
      be the training file named there). tune-weights grid-searches the recommender weights on the
      validation slice (default step 0.05) and prints the best.
      """;

  private Main() {}

  public static void main(String[] argv) {
    // DJL reads this system property; offline: the native library comes from the jar, never a download.
    if (System.getProperty("ai.djl.offline") == null) System.setProperty("ai.djl.offline", "true");
    System.exit(run(argv, System.out, System.err));
  }

  public static int run(String[] argv, PrintStream out, PrintStream err) {
    if (argv.length == 0 || argv[0].equals("--help") || argv[0].equals("-h")) {
      err.print(USAGE);
      return argv.length == 0 ? 2 : 0;
    }
    try {
      return switch (argv[0]) {
        case "train" -> train(argv, out, err);
        case "evaluate" -> evaluate(argv, out, err);
        case "popularity" -> popularity(argv, out, err);
        case "tune-weights" -> tuneWeights(argv, out, err);
        default -> throw new Args.UsageException("unknown command '" + argv[0] + "' (train, evaluate, popularity or tune-weights)");
      };
    } catch (Args.UsageException | IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.print(USAGE);
      return 2;
    } catch (ModelStoreException | DataFormatException | ServedEvaluationException e) {
      err.println("error: " + e.getMessage());
      return 1;
    }
  }

  static int train(String[] argv, PrintStream out, PrintStream err) {
    Args a = new Args(argv, 1, Set.of("data", "format", "registry", "version", "epochs", "seed", "hidden", "dense",
        "min-category-count", "encoder", "layers", "heads", "summary"), Set.of("activate", "experimental-item-repeat"));
    HyperParams hp = HyperParams.defaults();
    hp = hp.withMaxEpochs(a.getInt("epochs", hp.maxEpochs())).withSeed(a.getLong("seed", hp.seed()))
        .withSizes(a.getInt("hidden", hp.hidden()), a.getInt("dense", hp.dense()));
    String encoder = a.get("encoder", HyperParams.GRU);
    if (HyperParams.ATTENTION.equals(encoder)) hp = hp.withAttention(a.getInt("layers", 1), a.getInt("heads", 2));
    else if (!HyperParams.GRU.equals(encoder)) throw new Args.UsageException("--encoder must be gru or attention, not " + encoder);
    Path registry = a.get("registry") == null ? RegistryLocation.fromEnvironment().trainingRegistry() : Path.of(a.get("registry"));
    String version = a.get("version", "nb-gru-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    TrainOptions o = new TrainOptions(Path.of(a.require("data")), DataFormat.parse(a.get("format", "taobao")), registry, version,
        a.flag("activate"), hp, EncodingSpec.DEFAULT, ChronologicalSplit.DEFAULT, a.getInt("min-category-count", 2), 20_000,
        a.get("summary", SummaryFeatures.CONTRACT), a.flag("experimental-item-repeat"));
    if (!SummaryFeatures.supported(o.summary()))
      throw new Args.UsageException("--summary must be one of " + SummaryFeatures.CONTRACTS + ", not " + o.summary());
    TrainPipeline.Outcome r = TrainPipeline.run(o, out);
    if (r == null) return 0; // the item-repeat experiment writes no version
    out.println();
    out.println("model " + version + " written to " + r.versionDir() + (o.activate() ? " (active)" : ""));
    out.println();
    out.print(r.report().toTable());
    return 0;
  }

  static int evaluate(String[] argv, PrintStream out, PrintStream err) {
    Args a = new Args(argv, 1, Set.of("data", "format", "model", "bootstrap", "seed", "chart", "served", "served-wait",
        "served-window"), Set.of("json", "save"));
    long t0 = System.nanoTime();
    int resamples = a.getInt("bootstrap", Bootstrap.DEFAULT_RESAMPLES);
    if (resamples < 0) throw new Args.UsageException("--bootstrap must be >= 0");
    Bootstrap.Options bootstrap = new Bootstrap.Options(resamples, a.getLong("seed", Bootstrap.DEFAULT_SEED));
    Path chart = a.get("chart") == null ? null : Path.of(a.get("chart"));
    // The packaged model is extracted to a temporary directory: a report saved there would be lost.
    if (a.flag("save") && a.get("model") == null)
      throw new Args.UsageException("--save writes into the evaluated version's directory: name it with --model");
    ServedReplay.Options servedOptions = a.get("served") == null ? null : servedOptions(a);
    int window = a.getInt("served-window", ENGINE_WINDOW);
    if (window < 1) throw new Args.UsageException("--served-window must be positive");
    BehaviorDataset data = BehaviorDataset.load(Path.of(a.require("data")), DataFormat.parse(a.get("format", "taobao")),
        b -> {});
    Path dir = a.get("model") == null ? RegistryLocation.fromEnvironment().defaultModel() : versionDir(Path.of(a.get("model")));
    try (NextBehaviorModel model = NextBehaviorModel.load(dir); ModelScorer scorer = new ModelScorer(model)) {
      ServedReplay.Outcome served = null;
      if (servedOptions != null) {
        err.printf("served: replaying %d users to %s (ids %s<user>) ...%n", data.userCount(), servedOptions.url(), servedOptions.userPrefix());
        served = ServedReplay.run(data, ChronologicalSplit.DEFAULT, servedOptions, err);
      }
      RecordingScorer recording = new RecordingScorer(scorer);
      EvaluationReport report = Evaluator.evaluate(data, ChronologicalSplit.DEFAULT, recording, bootstrap);
      ServedComparison comparison = served == null ? null : compare(data, recording, scorer, served, model.version(), window, bootstrap);
      if (chart != null) writeChart(chart, report);
      String reportJson = reportJson(report, model.version());
      if (a.flag("save")) EvaluationFile.write(dir, reportJson);
      if (a.flag("json")) {
        if (comparison == null) out.println(reportJson);
        else {
          ObjectMapper json = ModelBundle.json();
          out.println(compact(json, withServed(json, reportNode(json, report, model.version()), servedJson(json, comparison, served, window))));
        }
      } else {
        out.println("model: " + model.version() + " (" + dir + ")");
        out.print(report.toTable());
        if (comparison != null) printServed(out, comparison, served, model.version());
        double f1 = report.bestBaseline(m -> m.macroF1(), false);
        double ll = report.bestBaseline(m -> m.logLoss(), true);
        var m = report.metrics("model");
        out.printf(Locale.ROOT, "%nbest baseline (raw or tuned) macro-F1 %.4f, log-loss %.4f: model %s both%n", f1, ll,
            m.macroF1() > f1 && m.logLoss() < ll ? "beats" : "does NOT beat");
        if (chart != null) out.println("chart written to " + chart);
        if (a.flag("save")) out.println("report written to " + dir.resolve(EvaluationFile.FILE));
        out.printf(Locale.ROOT, "evaluated in %.1f s%n", (System.nanoTime() - t0) / 1e9);
      }
    }
    return 0;
  }

  static ServedReplay.Options servedOptions(Args a) {
    URI url;
    try {
      url = URI.create(a.get("served"));
    } catch (IllegalArgumentException e) {
      throw new Args.UsageException("--served must be the node's URL, e.g. http://127.0.0.1:8080");
    }
    if (url.getScheme() == null || !(url.getScheme().equals("http") || url.getScheme().equals("https")) || url.getHost() == null)
      throw new Args.UsageException("--served must be the node's http(s) URL, e.g. http://127.0.0.1:8080");
    int wait = a.getInt("served-wait", (int) ServedReplay.Options.DEFAULT_WAIT.toSeconds());
    if (wait < 1) throw new Args.UsageException("--served-wait must be at least 1 second");
    return ServedReplay.Options.of(url, System.getenv("PROFILE_API_KEY"), Duration.ofSeconds(wait));
  }

  /**
   * The served predictions against the model's offline ones on the same held-out events: as
   * {@code evaluate} runs it (every past event: the window and the history counters, as a profile
   * keeps them) and with a summary of the last {@code window} past events only (counters folded from
   * the window alone, what a profile without history counters would serve), which tells how much
   * the counters carry.
   */
  static ServedComparison compare(BehaviorDataset data, RecordingScorer offline, BatchScorer model, ServedReplay.Outcome served,
      String version, int window, Bootstrap.Options bootstrap) {
    List<Evaluator.Target> targets = Evaluator.heldOutTargets(data, ChronologicalSplit.DEFAULT);
    List<BatchScorer.Scored> servedScores = new ArrayList<>(served.predictions().size());
    for (ServedPrediction p : served.predictions()) servedScores.add(p == null ? null : p.scored());
    List<Evaluator.Target> windowed = targets.stream().map(t -> new Evaluator.Target(t.userId(),
        t.before().subList(Math.max(0, t.before().size() - window), t.before().size()), t.actual(), t.firstOfUser())).toList();
    Map<String, ServedComparison.Reference> references = new LinkedHashMap<>();
    references.put(ServedComparison.MODEL, new ServedComparison.Reference("model " + version + " offline, as evaluate (every past event)",
        "offline", offline.recorded()));
    references.put(ENGINE_WINDOW_KEY, new ServedComparison.Reference("model " + version + " offline, last " + window
        + " events, no counters", "offline last " + window, Evaluator.scoreAll(model, windowed)));
    return ServedComparison.compare(targets, servedScores, "served by " + served.url(), references, bootstrap);
  }

  /** The reference that reads only the engine's window of recent behaviors. */
  static final String ENGINE_WINDOW_KEY = "engineWindow";
  /** The engine's default {@code profile.recent-behaviors}. */
  static final int ENGINE_WINDOW = 50;

  static ObjectNode servedJson(ObjectMapper json, ServedComparison c, ServedReplay.Outcome served, int window) {
    ObjectNode n = c.toJson(json);
    ((ObjectNode) n.get("references").get(ENGINE_WINDOW_KEY)).put("pastEvents", window);
    n.put("url", served.url().toString());
    n.put("userPrefix", served.userPrefix());
    n.put("dropped", served.missing(ServedReplay.Missing.DROPPED));
    n.put("userRejected", served.missing(ServedReplay.Missing.USER_REJECTED));
    n.put("lateOnChangeStream", served.lateOnStream());
    n.set("modelVersions", json.valueToTree(served.versions()));
    n.put("eventsStored", served.eventsStored());
    n.set("rejections", json.valueToTree(served.rejections()));
    n.put("seconds", served.seconds());
    return n;
  }

  /** {@code root} with {@code served} placed right after {@code model}. */
  static ObjectNode withServed(ObjectMapper json, ObjectNode root, ObjectNode served) {
    ObjectNode out = json.createObjectNode();
    root.fields().forEachRemaining(e -> {
      out.set(e.getKey(), e.getValue());
      if (e.getKey().equals("model")) out.set("served", served);
    });
    if (!out.has("served")) out.set("served", served);
    return out;
  }

  static void printServed(PrintStream out, ServedComparison c, ServedReplay.Outcome served, String version) {
    out.printf(Locale.ROOT, "%nserved by %s: %,d of %,d held-out events scored (coverage %.1f%%; dropped %,d, user's events rejected %,d;"
            + " %,d not on the change stream within the wait but in the profile), %,d events stored, %.1f s%n",
        served.url(), c.scoredEvents(), c.predictedEvents(), 100 * c.coverage(), served.missing(ServedReplay.Missing.DROPPED),
        served.missing(ServedReplay.Missing.USER_REJECTED), served.lateOnStream(), served.eventsStored(), served.seconds());
    out.println("served model versions: " + served.versions());
    if (!served.versions().isEmpty() && !served.versions().containsKey(version))
      out.println("note: the node did not serve " + version + ", the model evaluated offline");
    served.rejections().forEach(r -> out.println("  rejected: " + r));
    out.print(c.toTable());
  }

  static int popularity(String[] argv, PrintStream out, PrintStream err) {
    Args a = new Args(argv, 1, Set.of("data", "format", "model-dir", "top"), Set.of());
    Path dir = versionDir(Path.of(a.require("model-dir")));
    int top = a.getInt("top", Popularity.DEFAULT_TOP);
    if (top < 1) throw new Args.UsageException("--top must be positive");
    Manifest m = ModelBundle.read(dir).manifest();
    ChronologicalSplit split = TrainPipeline.parseSplit(m.split());
    Path file = Path.of(a.require("data"));
    out.printf("reading %s ...%n", file);
    BehaviorDataset data = BehaviorDataset.load(file, DataFormat.parse(a.get("format", "taobao")), b -> {});
    out.printf("%d events, %d users, %d bad lines%n", data.events(), data.userCount(), data.badLines());
    if (m.trainingData() != null && !data.sha256().equals(m.trainingData().sha256()))
      throw new DataFormatException(file.getFileName() + " (sha256 " + data.sha256().substring(0, 12) + ") is not the training file of "
          + m.version() + " (" + m.trainingData().file() + ", sha256 " + m.trainingData().sha256().substring(0, 12) + ")");
    out.printf(Locale.ROOT, "counting categories of each user's history part (first floor(%s n) events, as in the manifest) ...%n",
        split.historyFraction());
    Popularity p = TrainPipeline.popularity(data, split, top);
    Path target = dir.resolve(Popularity.FILE);
    p.write(target);
    out.printf(Locale.ROOT, "%d categorized history events; top %d categories (%.1f%% of them) written to %s%n", p.events(),
        p.categories().size(), 100 * p.categories().stream().mapToDouble(Popularity.Share::share).sum(), target);
    return 0;
  }

  static int tuneWeights(String[] argv, PrintStream out, PrintStream err) {
    Args a = new Args(argv, 1, Set.of("data", "format", "model", "step"), Set.of());
    long t0 = System.nanoTime();
    double step;
    try {
      step = Double.parseDouble(a.get("step", "0.05"));
    } catch (NumberFormatException e) {
      throw new Args.UsageException("--step must be a number");
    }
    List<RecommendWeights> grid = WeightSearch.grid(step);
    BehaviorDataset data = BehaviorDataset.load(Path.of(a.require("data")), DataFormat.parse(a.get("format", "taobao")), b -> {});
    Path dir = a.get("model") == null ? RegistryLocation.fromEnvironment().defaultModel() : versionDir(Path.of(a.get("model")));
    try (NextBehaviorModel model = NextBehaviorModel.load(dir); ModelScorer scorer = new ModelScorer(model)) {
      out.printf("model %s; scoring the validation slice and %d weight vectors ...%n", model.version(), grid.size());
      List<WeightSearch.Result> results = WeightSearch.search(data, ChronologicalSplit.DEFAULT, scorer, step);
      out.printf("%n| %-34s | %8s | %8s | %8s |%n|------------------------------------|---------:|---------:|---------:|%n",
          "weights (model, interest, popular)", "Hit@10", "Rec@10", "sum");
      List<WeightSearch.Result> shown = new ArrayList<>(results.subList(0, Math.min(10, results.size())));
      for (RecommendWeights w : List.of(RecommendWeights.DEFAULT, RecommendWeights.MODEL_ONLY, RecommendWeights.INTEREST_ONLY,
          RecommendWeights.POPULAR_ONLY))
        results.stream().filter(r -> r.weights().equals(w) && !shown.contains(r)).findFirst().ifPresent(shown::add);
      for (WeightSearch.Result r : shown)
        out.printf(Locale.ROOT, "| %-34s | %8.4f | %8.4f | %8.4f |%n", String.format(Locale.ROOT, "%.2f, %.2f, %.2f",
            r.weights().model(), r.weights().interest(), r.weights().popular()), r.hitRate(), r.recall(), r.objective());
      WeightSearch.Result best = results.get(0);
      WeightSearch.Result positive = results.stream()
          .filter(r -> r.weights().model() > 0 && r.weights().interest() > 0 && r.weights().popular() > 0).findFirst().orElse(best);
      out.printf(Locale.ROOT, "%nbest on validation: model %.2f, interest %.2f, popular %.2f%n", best.weights().model(),
          best.weights().interest(), best.weights().popular());
      out.printf(Locale.ROOT, "best with every weight positive: model %.2f, interest %.2f, popular %.2f%n", positive.weights().model(),
          positive.weights().interest(), positive.weights().popular());
      out.printf(Locale.ROOT, "current default: model %.2f, interest %.2f, popular %.2f (%.1f s)%n", RecommendWeights.DEFAULT.model(),
          RecommendWeights.DEFAULT.interest(), RecommendWeights.DEFAULT.popular(), (System.nanoTime() - t0) / 1e9);
    }
    return 0;
  }

  /** The report as the one-line JSON object {@code --json} prints and {@code --save} stores. */
  static String reportJson(EvaluationReport report, String version) {
    ObjectMapper json = ModelBundle.json();
    return compact(json, reportNode(json, report, version));
  }

  private static ObjectNode reportNode(ObjectMapper json, EvaluationReport report, String version) {
    Map<String, Object> extras = new LinkedHashMap<>();
    extras.put("version", version);
    return report.toJson(json, extras);
  }

  private static String compact(ObjectMapper json, ObjectNode root) {
    try {
      return json.writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT).writeValueAsString(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static void writeChart(Path file, EvaluationReport report) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) Files.createDirectories(parent);
      if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) PngChart.write(report, file);
      else Files.writeString(file, SvgChart.render(report), java.nio.charset.StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new ModelStoreException("cannot write chart " + file + ": " + e.getMessage(), e);
    }
  }

  /** A version directory, or a registry directory (its ACTIVE version). */
  static Path versionDir(Path p) {
    if (Files.isRegularFile(p.resolve(ModelBundle.MANIFEST))) return p;
    return new ModelRegistry(p).resolve(null);
  }
}
