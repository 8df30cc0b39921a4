package io.github.browserpool;

/** Thrown by {@code acquire()} under {@link CapacityPolicy#WAIT} when no browser became free within {@code acquireTimeout}. */
public class AcquireTimeoutException extends BrowserPoolException {
  private static final long serialVersionUID = 1L;

  public AcquireTimeoutException(String message) {
    super(message);
  }

  public AcquireTimeoutException(String message, Throwable cause) {
    super(message, cause);
  }
}
