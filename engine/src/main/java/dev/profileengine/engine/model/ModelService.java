package dev.profileengine.engine.model;

import dev.profileengine.model.encoding.UserContext;
import dev.profileengine.model.inference.InferencePool;
import dev.profileengine.model.inference.MarkovFallbackPredictor;
import dev.profileengine.model.inference.ModelLoader;
import dev.profileengine.model.inference.ModelSettings;
import dev.profileengine.model.inference.NextBehaviorModel;
import dev.profileengine.model.inference.PoolConfig;
import dev.profileengine.model.inference.PoolStats;
import dev.profileengine.model.inference.Prediction;
import dev.profileengine.model.inference.ServingModel;
import dev.profileengine.model.inference.TorchThreads;
import dev.profileengine.model.registry.EvaluationFile;
import dev.profileengine.model.registry.ModelRegistry;
import dev.profileengine.profile.BehaviorHistory;
import dev.profileengine.profile.BehaviorType;
import dev.profileengine.profile.ProfilePrediction;
import dev.profileengine.profile.RecentBehavior;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's next-behavior predictions: the shared micro-batched {@link InferencePool}, the model
 * registry behind hot swaps and A/B tests, and online feedback (each prediction scored against the
 * user's actual next behavior, per model version).
 */
public final class ModelService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ModelService.class);

  private final InferencePool pool;
  private final Optional<ModelRegistry> registry;
  private final Map<String, OnlineScore> feedback = new ConcurrentHashMap<>();
  private volatile boolean degraded;

  private ModelService(InferencePool pool, Optional<ModelRegistry> registry, boolean degraded) {
    this.pool = pool;
    this.registry = registry;
    this.degraded = degraded;
  }

  /** Loads the default model (or the Markov fallback when none loads) and starts the pool. */
  public static ModelService start(ModelSettings settings) {
    // DJL reads this system property: the native library comes from the jar, never a download.
    if (System.getProperty("ai.djl.offline") == null) System.setProperty("ai.djl.offline", "true");
    TorchThreads.setIfUnset(settings.torchThreads());
    long start = System.nanoTime();
    Optional<ModelRegistry> registry = ModelRegistry.at(settings.registryDir());
    ServingModel model = ModelLoader.loadServingModel(registry);
    boolean degraded = model instanceof MarkovFallbackPredictor;
    PoolConfig config = settings.pool();
    InferencePool pool = new InferencePool(model, config);
    ModelService service = new ModelService(pool, registry, degraded);
    if (settings.hasCandidate() && registry.isPresent()) {
      pool.setCandidate(ModelLoader.load(registry.get(), settings.candidate()), settings.candidatePercent());
      log.info("A/B: candidate model {} serves {}% of users", settings.candidate(), settings.candidatePercent());
    }
    log.info("Model {} loaded in {} ms{}: pool of {} worker(s) x {} PyTorch thread(s), batch <= {} or {} ms, queue {}; registry {}",
        model.version(), (System.nanoTime() - start) / 1_000_000, degraded ? " (DEGRADED: Markov fallback)" : "",
        config.workers(), TorchThreads.intraOp(), config.maxBatch(), config.maxDelay().toMillis(), config.queueCapacity(),
        registry.map(r -> r.root() + r.active().map(v -> " (active " + v + ")").orElse(" (no active version: packaged model)"))
            .orElse("none at " + settings.registryDir() + ": packaged model only"));
    return service;
  }

  /**
   * Asks the pool with a profile's recent behaviors and whole-history counters; never blocks. The
   * result names the state it was computed from.
   */
  public CompletionStage<ProfilePrediction> predict(String userId, List<RecentBehavior> recent, BehaviorHistory history,
      long asOfEventCount, String asOfEventId) {
    return pool.predict(userId, new UserContext(recent, history)).thenApply(p -> toProfile(p, asOfEventCount, asOfEventId));
  }

  static ProfilePrediction toProfile(Prediction p, long asOfEventCount, String asOfEventId) {
    return new ProfilePrediction(p.modelVersion(), asOfEventCount, asOfEventId, p.nextBehavior(), p.predictedBehavior(),
        p.nextCategories().stream().map(c -> new ProfilePrediction.Category(c.id(), c.probability())).toList(), p.computedAt());
  }

  /** Scores {@code previous} against the behavior that actually came next. */
  public void feedback(ProfilePrediction previous, BehaviorType actual) {
    feedback.computeIfAbsent(previous.modelVersion(), v -> new OnlineScore())
        .add(previous.probability(actual.wire()), actual.wire().equals(previous.predictedBehavior()));
  }

  public boolean degraded() {
    return degraded;
  }

  public String servingVersion() {
    return pool.modelVersion();
  }

  // Global category popularity of the serving version, cached per version.
  private volatile Map.Entry<String, dev.profileengine.model.recommend.Popularity> popularity;

  /** The serving model's global category popularity (empty when its directory has none). */
  public dev.profileengine.model.recommend.Popularity popularity() {
    String version = servingVersion();
    Map.Entry<String, dev.profileengine.model.recommend.Popularity> cached = popularity;
    if (cached != null && cached.getKey().equals(version)) return cached.getValue();
    dev.profileengine.model.recommend.Popularity p = registry.filter(r -> r.versions().contains(version))
        .map(r -> r.popularity(version))
        .orElseGet(() -> ModelRegistry.defaultPopularity(registry));
    popularity = Map.entry(version, p);
    return p;
  }

  public PoolStats stats() {
    return pool.stats();
  }

  /** The registry directory this node loads versions from (empty: the packaged model only). */
  public Optional<java.nio.file.Path> registryDir() {
    return registry.map(ModelRegistry::root);
  }

  /** Versions in the registry (or just the serving one when there is no registry directory). */
  public List<String> versions() {
    return registry.map(ModelRegistry::versions).orElse(List.of(pool.modelVersion()));
  }

  /**
   * Loads {@code version} from the registry, warms it with one prediction, and swaps it in; the
   * serving model keeps serving if anything fails.
   *
   * @throws dev.profileengine.model.ModelStoreException (a typed subclass) for a missing or corrupt model
   */
  public synchronized String activate(String version) {
    pool.swap(loadWarm(version));
    degraded = false;
    log.info("Model {} activated (hot swap)", version);
    return version;
  }

  /**
   * Loads and warms {@code version} and routes {@code percent}% of users to it, replacing any
   * candidate; on failure the current routing stays (same exceptions as {@link #activate}).
   */
  public synchronized void setCandidate(String version, int percent) {
    if (percent < 1 || percent > 100) throw new IllegalArgumentException("candidate percent 1..100, was " + percent);
    // A candidate of the serving version would compare the version with itself.
    if (version.equals(pool.stats().modelVersion())) {
      throw new IllegalArgumentException("'" + version + "' serves every user already: a candidate is another version");
    }
    pool.setCandidate(loadWarm(version), percent);
    log.info("A/B: candidate model {} serves {}% of users", version, percent);
  }

  public synchronized void clearCandidate() {
    if (pool.stats().candidateVersion() == null) return;
    pool.clearCandidate();
    log.info("A/B: candidate cleared");
  }

  /**
   * Brings this node to the cluster's {@code assignment} (nothing when none is stored): loads what
   * differs; a version that cannot load leaves the current model serving. Returns the error, if any.
   */
  public synchronized Optional<String> follow(ModelAssignment.Assignment assignment) {
    if (!assignment.assigned()) return Optional.empty();
    List<String> errors = new ArrayList<>();
    if (assignment.active() != null && !assignment.active().equals(servingVersion())) {
      try {
        activate(assignment.active());
      } catch (RuntimeException e) {
        errors.add("active " + assignment.active() + ": " + e.getMessage());
      }
    }
    PoolStats s = pool.stats();
    if (assignment.candidate() == null) {
      clearCandidate();
    } else if (!assignment.candidate().equals(s.candidateVersion()) || assignment.candidatePercent() != s.candidatePercent()) {
      try {
        setCandidate(assignment.candidate(), assignment.candidatePercent());
      } catch (RuntimeException e) {
        errors.add("candidate " + assignment.candidate() + ": " + e.getMessage());
      }
    }
    return errors.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", errors));
  }

  private ModelRegistry registry() {
    return registry.orElseThrow(() -> new dev.profileengine.model.ModelNotFoundException(
        "no model registry directory: set PROFILE_MODELS_DIR (profile.model.registry-dir) to serve other versions"));
  }

  /** {@code version} from the registry, warmed with one prediction. */
  private NextBehaviorModel loadWarm(String version) {
    ModelRegistry.checkVersionName(version);
    NextBehaviorModel model = ModelLoader.load(registry(), version);
    try (var worker = model.newWorker()) {
      worker.predict(List.of(UserContext.EMPTY));
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
    return model;
  }

  /**
   * The held-out evaluation report of {@code version} ({@code evaluation.json} of its registry
   * directory, else of the model packaged in the jar). Read from disk on each call: reports are
   * small and rarely asked for, and a newly saved one shows without a restart.
   *
   * @throws IllegalArgumentException for a malformed version name
   */
  public EvaluationFile.Lookup evaluation(String version) {
    return EvaluationFile.read(registry, version);
  }

  /** Online accuracy and log-loss per model version since this node started. */
  public Map<String, OnlineScore.View> onlineScores() {
    Map<String, OnlineScore.View> out = new TreeMap<>();
    feedback.forEach((v, s) -> out.put(v, s.view()));
    return out;
  }

  @Override
  public void close() {
    pool.close();
  }

  /** The running sums of online scores per model version since this node started (they add up across nodes). */
  public Map<String, OnlineScore.Totals> onlineTotals() {
    Map<String, OnlineScore.Totals> out = new TreeMap<>();
    feedback.forEach((v, s) -> out.put(v, s.totals()));
    return out;
  }

  /** Rolling online quality of one model version. */
  public static final class OnlineScore {
    private long n;
    private long correct;
    private double logLoss;

    synchronized void add(double probabilityOfActual, boolean decidedRight) {
      n++;
      if (decidedRight) correct++;
      logLoss += -Math.log(Math.max(1e-9, probabilityOfActual));
    }

    public record View(long scored, double accuracy, double logLoss) {}

    /** Sums: predictions scored, decided right, and their log-loss. */
    public record Totals(long scored, long correct, double logLossSum) {
      public static final Totals NONE = new Totals(0, 0, 0);

      public Totals plus(Totals o) {
        return new Totals(scored + o.scored, correct + o.correct, logLossSum + o.logLossSum);
      }

      /** What was added since {@code before} (a node that restarted since counts from its restart). */
      public Totals since(Totals before) {
        if (scored < before.scored) return this;
        return new Totals(scored - before.scored, correct - before.correct, logLossSum - before.logLossSum);
      }

      public View view() {
        return new View(scored, scored == 0 ? 0 : (double) correct / scored, scored == 0 ? 0 : logLossSum / scored);
      }
    }

    synchronized View view() {
      return totals().view();
    }

    synchronized Totals totals() {
      return new Totals(n, correct, logLoss);
    }
  }

  /** For readers: versions, what serves, pool statistics and online scores. */
  public Map<String, Object> describe() {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    PoolStats s = pool.stats();
    m.put("serving", s.modelVersion());
    m.put("degraded", degraded);
    m.put("candidate", s.candidateVersion());
    m.put("candidatePercent", s.candidatePercent());
    m.put("versions", new ArrayList<>(versions()));
    m.put("online", onlineScores());
    m.put("pool", s);
    return m;
  }
}
