package dev.profileengine.model.served;

/** Served evaluation could not go on: the node refused, kept failing or never answered. */
public final class ServedEvaluationException extends RuntimeException {
  public ServedEvaluationException(String message) {
    super(message);
  }

  public ServedEvaluationException(String message, Throwable cause) {
    super(message, cause);
  }
}
