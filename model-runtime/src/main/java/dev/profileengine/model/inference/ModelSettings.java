package dev.profileengine.model.inference;

import java.nio.file.Path;

/**
 * How a node serves predictions, built by its caller (the engine maps {@code profile.model} to it):
 * model-runtime reads no configuration or environment itself.
 *
 * @param registryDir the model registry ({@code <version>/}, {@code ACTIVE}): its active version is
 *     the default model when it has one, and hot swaps load from it; a missing directory means the
 *     packaged model and no hot swaps
 * @param pool the inference pool's sizing
 * @param torchThreads PyTorch threads per forward pass (see {@code TorchThreads})
 * @param candidate an A/B candidate version serving {@code candidatePercent} of users, blank for none
 */
public record ModelSettings(Path registryDir, PoolConfig pool, int torchThreads, String candidate, int candidatePercent) {
  public ModelSettings {
    if (torchThreads < 1) throw new IllegalArgumentException("PyTorch threads >= 1, was " + torchThreads);
    if (candidatePercent < 0 || candidatePercent > 100) throw new IllegalArgumentException("candidate percent 0..100, was " + candidatePercent);
  }

  public boolean hasCandidate() {
    return !candidate.isBlank();
  }
}
