package dev.profileengine.model.inference;

import java.util.ArrayList;
import java.util.List;

/**
 * One model being served, with the count of batches running on it. A retired deployment takes
 * no new batches and closes its workers and model once the batches in flight have drained.
 */
final class Deployment {
  private final ServingModel model;
  private final List<BatchWorker> workers = new ArrayList<>();
  private int inFlight;
  private boolean retired;
  private boolean closed;

  Deployment(ServingModel model) {
    this.model = model;
  }

  String version() {
    return model.version();
  }

  /** Starts a batch; false once retired (the caller re-reads the current routing). */
  synchronized boolean tryAcquire() {
    if (retired) return false;
    inFlight++;
    return true;
  }

  /** A new worker for the calling thread; only while a batch is acquired. */
  synchronized BatchWorker newWorker() {
    BatchWorker w = model.newWorker();
    workers.add(w);
    return w;
  }

  synchronized void release() {
    inFlight--;
    closeIfDrained();
  }

  synchronized void retire() {
    retired = true;
    closeIfDrained();
  }

  synchronized boolean isRetired() {
    return retired;
  }

  synchronized boolean isClosed() {
    return closed;
  }

  private void closeIfDrained() {
    if (!retired || inFlight > 0 || closed) return;
    closed = true;
    for (BatchWorker w : workers) {
      if (w != model) w.close();
    }
    workers.clear();
    model.close();
  }
}
