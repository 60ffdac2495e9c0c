package dev.profileengine.model.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.profileengine.model.ModelStoreException;
import dev.profileengine.model.data.BehaviorDataset;
import dev.profileengine.model.data.ChronologicalSplit;
import dev.profileengine.model.data.DataFormat;
import dev.profileengine.model.encoding.EncodingSpec;
import dev.profileengine.model.eval.EvaluationReport;
import dev.profileengine.model.eval.Evaluator;
import dev.profileengine.model.inference.NextBehaviorModel;
import dev.profileengine.model.nn.HyperParams;
import dev.profileengine.model.registry.ModelBundle;
import dev.profileengine.model.registry.ModelRegistry;
import dev.profileengine.model.train.ModelScorer;
import dev.profileengine.model.train.TrainOptions;
import dev.profileengine.model.train.TrainPipeline;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code java -jar model-store.jar train|evaluate ...}. Exit codes: 0 ok, 1 failure, 2 usage.
 */
public final class Main {
  static final String USAGE = """
      usage:
        train    --data FILE [--format taobao|json] [--registry DIR] [--version NAME] [--activate]
                 [--epochs N] [--seed N] [--hidden N] [--dense N] [--min-category-count N]
        evaluate --data FILE [--format taobao|json] [--model DIR] [--json]

      train writes <registry>/<version>/ (default registry: $PROFILE_MODELS_DIR, else ./models),
      --activate points <registry>/ACTIVE at it. evaluate without --model uses the default model:
      the active version of $PROFILE_MODELS_DIR, else the one packaged in this jar. --model takes a
      version directory or a registry directory (its active version).
      """;

  private Main() {}

  public static void main(String[] argv) {
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
        default -> throw new Args.UsageException("unknown command '" + argv[0] + "' (train or evaluate)");
      };
    } catch (Args.UsageException | IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.print(USAGE);
      return 2;
    } catch (ModelStoreException e) {
      err.println("error: " + e.getMessage());
      return 1;
    }
  }

  static int train(String[] argv, PrintStream out, PrintStream err) {
    Args a = new Args(argv, 1, Set.of("data", "format", "registry", "version", "epochs", "seed", "hidden", "dense",
        "min-category-count"), Set.of("activate"));
    HyperParams hp = HyperParams.defaults();
    hp = hp.withMaxEpochs(a.getInt("epochs", hp.maxEpochs())).withSeed(a.getLong("seed", hp.seed()))
        .withSizes(a.getInt("hidden", hp.hidden()), a.getInt("dense", hp.dense()));
    Path registry = Path.of(a.get("registry", ModelRegistry.configured().map(r -> r.root().toString()).orElse("models")));
    String version = a.get("version", "nb-gru-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
    TrainOptions o = new TrainOptions(Path.of(a.require("data")), DataFormat.parse(a.get("format", "taobao")), registry, version,
        a.flag("activate"), hp, EncodingSpec.DEFAULT, ChronologicalSplit.DEFAULT, a.getInt("min-category-count", 2), 20_000);
    TrainPipeline.Outcome r = TrainPipeline.run(o, out);
    out.println();
    out.println("model " + version + " written to " + r.versionDir() + (o.activate() ? " (active)" : ""));
    out.println();
    out.print(r.report().toTable());
    return 0;
  }

  static int evaluate(String[] argv, PrintStream out, PrintStream err) {
    Args a = new Args(argv, 1, Set.of("data", "format", "model"), Set.of("json"));
    BehaviorDataset data = BehaviorDataset.load(Path.of(a.require("data")), DataFormat.parse(a.get("format", "taobao")),
        b -> {});
    Path dir = a.get("model") == null ? ModelRegistry.resolveDefault() : versionDir(Path.of(a.get("model")));
    try (NextBehaviorModel model = NextBehaviorModel.load(dir); ModelScorer scorer = new ModelScorer(model)) {
      EvaluationReport report = Evaluator.evaluate(data, ChronologicalSplit.DEFAULT, scorer);
      if (a.flag("json")) {
        ObjectMapper json = ModelBundle.json();
        Map<String, Object> extras = new LinkedHashMap<>();
        extras.put("version", model.version());
        try {
          out.println(json.writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
              .writeValueAsString(report.toJson(json, extras)));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
          throw new IllegalStateException(e);
        }
      } else {
        out.println("model: " + model.version() + " (" + dir + ")");
        out.print(report.toTable());
        double f1 = report.bestBaseline(m -> m.macroF1(), false);
        double ll = report.bestBaseline(m -> m.logLoss(), true);
        var m = report.metrics("model");
        out.printf("%nbest baseline macro-F1 %.4f, log-loss %.4f: model %s both%n", f1, ll,
            m.macroF1() > f1 && m.logLoss() < ll ? "beats" : "does NOT beat");
      }
    }
    return 0;
  }

  /** A version directory, or a registry directory (its ACTIVE version). */
  static Path versionDir(Path p) {
    if (Files.isRegularFile(p.resolve(ModelBundle.MANIFEST))) return p;
    return new ModelRegistry(p).resolve(null);
  }
}
