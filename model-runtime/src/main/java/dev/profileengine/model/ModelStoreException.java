package dev.profileengine.model;

/**
 * Root of the model-store's typed failures. Callers can switch on the concrete subtype:
 * a model that cannot be found or loaded, a failed inference, or a request the
 * inference pool refused (queue full, pool closed).
 */
public sealed class ModelStoreException extends RuntimeException
    permits ModelNotFoundException, ModelLoadException, InferenceException,
        PoolRejectedException {

  public ModelStoreException(String message) {
    super(message);
  }

  public ModelStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
