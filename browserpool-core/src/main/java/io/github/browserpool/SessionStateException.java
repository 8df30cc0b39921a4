package io.github.browserpool;

/**
 * A keyed session's saved state could not be used: the store failed to load it, or the state is not a
 * valid Playwright {@code storageState} (it does not parse, is of another format, or is larger than
 * {@link SessionStore#MAX_STATE_CHARS}). The message names the session key (and the file, for a
 * {@link SessionStore#directory directory} store) and says what to do, typically fix the store or call
 * {@code pool.invalidate(key)} so that the key's next lease starts a new session.
 *
 * <p>The pool never answers such a failure with a fresh session: that session would be saved over the
 * good state when its lease closes.
 */
public class SessionStateException extends BrowserPoolException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message saying what happened and what to do. */
  public SessionStateException(String message) {
    super(message);
  }

  /** Creates the exception with a message saying what happened and what to do, and its cause. */
  public SessionStateException(String message, Throwable cause) {
    super(message, cause);
  }
}
