package dev.profileengine.data;

/** A data file (training/evaluation input) that cannot be read or holds no usable events. */
public final class DataFormatException extends RuntimeException {
  public DataFormatException(String message) {
    super(message);
  }

  public DataFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
