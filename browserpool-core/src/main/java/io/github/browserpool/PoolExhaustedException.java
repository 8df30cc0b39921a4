package io.github.browserpool;

/**
 * Thrown by {@code acquire()} under {@link CapacityPolicy#REJECT} when the pool has no room for another
 * lease: {@code maxBrowsers} browsers are alive and each serves as many leases as it may.
 */
public class PoolExhaustedException extends BrowserPoolException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message saying what happened and what to do. */
  public PoolExhaustedException(String message) {
    super(message);
  }

  /** Creates the exception with a message saying what happened and what to do, and its cause. */
  public PoolExhaustedException(String message, Throwable cause) {
    super(message, cause);
  }
}
