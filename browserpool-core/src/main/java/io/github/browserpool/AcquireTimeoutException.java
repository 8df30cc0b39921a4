package io.github.browserpool;

/**
 * Thrown by {@code acquire()} when no lease could be handed out within {@code acquireTimeout}: the pool
 * stayed at capacity (under {@link CapacityPolicy#WAIT}, or {@link CapacityPolicy#EVICT_LRU} with nothing
 * to evict), the browser being launched for it was not ready, or the pool was suspended.
 */
public class AcquireTimeoutException extends BrowserPoolException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message saying what happened and what to do. */
  public AcquireTimeoutException(String message) {
    super(message);
  }

  /** Creates the exception with a message saying what happened and what to do, and its cause. */
  public AcquireTimeoutException(String message, Throwable cause) {
    super(message, cause);
  }
}
