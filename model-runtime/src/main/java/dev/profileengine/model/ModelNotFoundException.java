package dev.profileengine.model;

/** No registry, no active pointer, or no such model version. */
public final class ModelNotFoundException extends ModelStoreException {
  public ModelNotFoundException(String message) {
    super(message);
  }
}
