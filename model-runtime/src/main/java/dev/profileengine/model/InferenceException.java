package dev.profileengine.model;

/** The engine failed while running a batch through the model. */
public final class InferenceException extends ModelStoreException {
  public InferenceException(String message, Throwable cause) {
    super(message, cause);
  }
}
