package dev.profileengine.engine.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The model tools ({@code model-store.jar train|evaluate}) run as a separate JVM: training code
 * stays out of the server, and the process runs niced, with its own heap and one processor, so
 * ingest keeps the CPU it needs. Output goes to a log file beside the run's data.
 */
public final class TrainerProcess {
  /** A step of the model tools that did not complete. */
  public static final class TrainerException extends RuntimeException {
    TrainerException(String message) {
      super(message);
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();
  private final TrainingSettings settings;

  public TrainerProcess(TrainingSettings settings) {
    this.settings = settings;
  }

  /** Why this node cannot train (empty: it can). */
  public Optional<String> unavailable() {
    if (!Files.isRegularFile(settings.trainerJar()))
      return Optional.of("the model tools are not at " + settings.trainerJar().toAbsolutePath()
          + " (profile.model.training.trainer-jar, PROFILE_TRAINER_JAR)");
    return Optional.empty();
  }

  /** Trains {@code version} into {@code registry} from {@code data}. */
  public void train(Path data, Path registry, String version, Path log) {
    List<String> args = new ArrayList<>(List.of("train", "--data", data.toString(), "--format", "json",
        "--registry", registry.toString(), "--version", version));
    if (settings.epochs() > 0) args.addAll(List.of("--epochs", Integer.toString(settings.epochs())));
    run(args, log, "training");
  }

  /**
   * The held-out quality of the model at {@code modelDir} on {@code data} (each user's latest
   * events, as {@code evaluate} splits them); {@code modelDir} null: the registry's active version,
   * else the model packaged with the tools.
   */
  public TrainingRun.Quality evaluate(Path data, Path modelDir, Path registry, Path log) {
    List<String> args = new ArrayList<>(List.of("evaluate", "--data", data.toString(), "--format", "json", "--json", "--bootstrap", "0"));
    if (modelDir != null) args.addAll(List.of("--model", modelDir.toString()));
    Path out = log.resolveSibling(log.getFileName() + ".json");
    try {
      run(args, log, out, "evaluation", registry);
      JsonNode model = JSON.readTree(Files.readString(out, StandardCharsets.UTF_8)).path("model");
      if (!model.path("logLoss").isNumber()) throw new TrainerException("evaluation printed no model log-loss (see " + log + ")");
      JsonNode hit = model.path("categoryHitRateAt10");
      return new TrainingRun.Quality(model.path("accuracy").asDouble(), model.path("macroF1").asDouble(), model.path("logLoss").asDouble(),
          hit.isNumber() ? hit.asDouble() : null);
    } catch (IOException e) {
      throw new TrainerException("evaluation output unreadable: " + e.getMessage());
    } finally {
      JournalTrainingData.delete(out);
    }
  }

  private void run(List<String> args, Path log, String what) {
    run(args, log, null, what, null);
  }

  /** Runs the tools with {@code args}; stdout to {@code out} (else the log), stderr to the log. */
  private void run(List<String> args, Path log, Path out, String what, Path registry) {
    List<String> command = new ArrayList<>();
    if (settings.nice() > 0 && Files.isExecutable(Path.of("/usr/bin/nice")))
      command.addAll(List.of("/usr/bin/nice", "-n", Integer.toString(settings.nice())));
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.addAll(settings.javaOptions());
    command.addAll(List.of("-jar", settings.trainerJar().toString()));
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectOutput(out == null ? ProcessBuilder.Redirect.appendTo(log.toFile()) : ProcessBuilder.Redirect.to(out.toFile()));
    pb.environment().put("OPT_OUT_TRACKING", "true");
    pb.environment().put("OMP_NUM_THREADS", "1");
    if (registry != null) pb.environment().put("PROFILE_MODELS_DIR", registry.toString());
    Process p;
    try {
      Files.createDirectories(log.getParent());
      p = pb.start();
    } catch (IOException e) {
      throw new TrainerException(what + " could not start: " + e.getMessage());
    }
    try {
      if (!p.waitFor(settings.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new TrainerException(what + " took longer than " + settings.timeout() + " (profile.model.training.timeout)");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new TrainerException(what + " interrupted");
    }
    if (p.exitValue() != 0) throw new TrainerException(what + " failed (exit " + p.exitValue() + "): " + lastLine(log) + " (log " + log + ")");
  }

  private static String lastLine(Path log) {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      // The error, not the stack frames under it.
      for (int i = lines.size() - 1; i >= 0; i--) {
        String line = lines.get(i).strip();
        if (!line.isEmpty() && !line.startsWith("at ") && !line.startsWith("...")) return line;
      }
      return "no output";
    } catch (IOException e) {
      return "no log";
    }
  }
}
