package io.github.browserpool;

/** SCAFFOLD (replaced by the session-state branch). */
public class SessionStateException extends BrowserPoolException {
  private static final long serialVersionUID = 1L;

  public SessionStateException(String message) {
    super(message);
  }

  public SessionStateException(String message, Throwable cause) {
    super(message, cause);
  }
}
