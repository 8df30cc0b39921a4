package io.github.browserpool;

/**
 * Thrown on any use of a lease that is closed, or that the pool revoked (abandoned, evicted, its browser
 * stopped responding, or the pool closed).
 */
public class LeaseRevokedException extends BrowserPoolException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message saying what happened and what to do. */
  public LeaseRevokedException(String message) {
    super(message);
  }

  /** Creates the exception with a message saying what happened and what to do, and its cause. */
  public LeaseRevokedException(String message, Throwable cause) {
    super(message, cause);
  }
}
