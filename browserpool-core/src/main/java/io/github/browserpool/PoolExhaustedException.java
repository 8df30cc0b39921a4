package io.github.browserpool;

/** Thrown by {@code acquire()} under {@link CapacityPolicy#REJECT} when {@code maxBrowsers} browsers are already leased. */
public class PoolExhaustedException extends BrowserPoolException {
  private static final long serialVersionUID = 1L;

  public PoolExhaustedException(String message) {
    super(message);
  }

  public PoolExhaustedException(String message, Throwable cause) {
    super(message, cause);
  }
}
