package dev.profileengine.model.inference;

/**
 * A model the {@link InferencePool} can serve: the DJL network of a registry version, or the
 * DJL-free {@link MarkovFallbackPredictor}. Thread-safe as a factory of {@link BatchWorker}s,
 * one per pool worker thread.
 */
public sealed interface ServingModel extends AutoCloseable permits NextBehaviorModel, MarkovFallbackPredictor {
  /** Registry version named in every prediction. */
  String version();

  /** A worker for one thread; closed by the pool before {@link #close()}. */
  BatchWorker newWorker();

  @Override
  void close();
}
