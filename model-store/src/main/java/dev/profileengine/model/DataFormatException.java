package dev.profileengine.model;

/** A data file (training/evaluation input) that cannot be read or holds no usable events. */
public final class DataFormatException extends ModelStoreException {
  public DataFormatException(String message) {
    super(message);
  }

  public DataFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
