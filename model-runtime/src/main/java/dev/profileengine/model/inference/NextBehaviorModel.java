package dev.profileengine.model.inference;

import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import dev.profileengine.model.ModelLoadException;
import dev.profileengine.model.nn.NextBehaviorBlock;
import dev.profileengine.model.nn.PaddingCut;
import dev.profileengine.model.registry.ModelBundle;
import dev.profileengine.model.encoding.UserContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A loaded next-behavior model (one registry version). Thread-safe as a factory: create one
 * {@link BehaviorPredictor} per worker thread with {@link #newPredictor()} (a DJL predictor is not
 * thread-safe), or use {@link #predict(List)}, which serialises callers on one internal predictor,
 * or an {@link InferencePool} for micro-batching.
 *
 * <pre>{@code
 * try (NextBehaviorModel model = ModelLoader.loadDefault();
 *      BehaviorPredictor p = model.newPredictor()) {
 *   List<Prediction> out = p.predict(List.of(UserContext.of(historyOfUser1), new UserContext(recent, counters)));
 * }
 * }</pre>
 */
public final class NextBehaviorModel implements ServingModel {
  static {
    // DJL reads this system property: the native library comes from the jar, never a download.
    if (System.getProperty("ai.djl.offline") == null) System.setProperty("ai.djl.offline", "true");
  }

  private final ModelBundle bundle;
  private final Model model;
  private final PaddingCut paddingCut;
  private final Object sharedLock = new Object();
  private BehaviorPredictor shared;

  private NextBehaviorModel(ModelBundle bundle, Model model) {
    this.bundle = bundle;
    this.model = model;
    this.paddingCut = model.getBlock() instanceof NextBehaviorBlock b ? b.paddingCut(model.getNDManager()) : null;
  }

  /** Loads a version directory ({@code <registry>/<version>/}). */
  public static NextBehaviorModel load(Path versionDir) {
    ModelBundle bundle = ModelBundle.read(versionDir);
    if (!Files.isRegularFile(versionDir.resolve(ModelBundle.PARAMS_FILE)))
      throw new ModelLoadException("no " + ModelBundle.PARAMS_FILE + " in " + versionDir);
    Model model = Model.newInstance(ModelBundle.PARAMS_PREFIX, Engine.getEngine("PyTorch").defaultDevice(), "PyTorch");
    try {
      model.setBlock(new NextBehaviorBlock(bundle.netShape(), bundle.hyperParams()));
      model.load(versionDir, ModelBundle.PARAMS_PREFIX);
      return new NextBehaviorModel(bundle, model);
    } catch (IOException | MalformedModelException | RuntimeException e) {
      model.close();
      throw new ModelLoadException("cannot load parameters of model " + bundle.version() + " from " + versionDir + ": " + e.getMessage(), e);
    }
  }

  /** Wraps an in-memory trained DJL model (used by training before the version is written). */
  public static NextBehaviorModel of(ModelBundle bundle, Model model) {
    return new NextBehaviorModel(bundle, model);
  }

  @Override
  public BatchWorker newWorker() {
    return newPredictor();
  }

  @Override
  public String version() {
    return bundle.version();
  }

  public ModelBundle bundle() {
    return bundle;
  }

  /** A new predictor for the calling thread; close it when the thread is done. */
  public BehaviorPredictor newPredictor() {
    return newPredictor(true);
  }

  /**
   * As {@link #newPredictor()}; with {@code cutPadding} false every batch runs the model's whole
   * window, padding included (the same output, slower: for comparisons).
   */
  public BehaviorPredictor newPredictor(boolean cutPadding) {
    return new BehaviorPredictor(bundle, model, cutPadding ? paddingCut : null);
  }

  /** Convenience for low-rate callers: one shared predictor, callers serialised. */
  public List<Prediction> predict(List<UserContext> batch) {
    synchronized (sharedLock) {
      if (shared == null) shared = newPredictor();
      return shared.predict(batch);
    }
  }

  @Override
  public void close() {
    synchronized (sharedLock) {
      if (shared != null) shared.close();
      shared = null;
    }
    model.close();
  }
}
