package io.github.browserpool;

/** Thrown when a pool is used after {@code close()}, or to an {@code acquire()} that was waiting when the pool closed. */
public class PoolClosedException extends BrowserPoolException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message saying what happened and what to do. */
  public PoolClosedException(String message) {
    super(message);
  }

  /** Creates the exception with a message saying what happened and what to do, and its cause. */
  public PoolClosedException(String message, Throwable cause) {
    super(message, cause);
  }
}
