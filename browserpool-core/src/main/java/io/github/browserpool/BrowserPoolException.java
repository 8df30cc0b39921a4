package io.github.browserpool;

/**
 * Root of every exception browserpool throws. All of them are unchecked; each subclass names one
 * failure, and its message says what happened and what to do about it.
 */
public class BrowserPoolException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message saying what happened and what to do. */
  public BrowserPoolException(String message) {
    super(message);
  }

  /** Creates the exception with a message saying what happened and what to do, and its cause. */
  public BrowserPoolException(String message, Throwable cause) {
    super(message, cause);
  }
}
