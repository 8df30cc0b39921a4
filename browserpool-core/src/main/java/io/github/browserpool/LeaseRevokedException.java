package io.github.browserpool;

/** Thrown on any use of a lease that is closed or was revoked by the pool (abandoned, evicted, or pool shut down). */
public class LeaseRevokedException extends BrowserPoolException {
  private static final long serialVersionUID = 1L;

  public LeaseRevokedException(String message) {
    super(message);
  }

  public LeaseRevokedException(String message, Throwable cause) {
    super(message, cause);
  }
}
