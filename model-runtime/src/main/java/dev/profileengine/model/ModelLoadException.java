package dev.profileengine.model;

/** A model version exists but its files are unreadable, inconsistent or incompatible. */
public final class ModelLoadException extends ModelStoreException {
  public ModelLoadException(String message) {
    super(message);
  }

  public ModelLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
