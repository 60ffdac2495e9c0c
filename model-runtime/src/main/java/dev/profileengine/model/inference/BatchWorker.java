package dev.profileengine.model.inference;

import dev.profileengine.model.encoding.UserContext;
import java.util.List;

/**
 * Runs whole batches for one thread (a DJL predictor is not thread-safe). For the DJL model, a
 * batch is one forward pass whose NDArrays live in one NDManager that is closed when the batch
 * returns.
 */
public interface BatchWorker extends AutoCloseable {
  /** One prediction per context, in order; each context is one user's recent behaviors and history counters. */
  List<Prediction> predict(List<UserContext> batch);

  @Override
  void close();
}
