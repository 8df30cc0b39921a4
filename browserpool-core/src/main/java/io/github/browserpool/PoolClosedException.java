package io.github.browserpool;

/** Thrown when a pool is used after {@code close()}, or to an {@code acquire()} that was waiting when the pool closed. */
public class PoolClosedException extends BrowserPoolException {
  private static final long serialVersionUID = 1L;

  public PoolClosedException(String message) {
    super(message);
  }

  public PoolClosedException(String message, Throwable cause) {
    super(message, cause);
  }
}
