package io.github.browserpool;

/**
 * Signals that a CDP call failed because its page's session is gone while the browser connection is
 * still open: the page was closed, detached or crashed, or an earlier call on it timed out. Other pages
 * of the same browser still work; open a new page. {@link #code()} is {@link #CODE}.
 */
public class CdpSessionClosedException extends CdpConnectionClosedException {
  private static final long serialVersionUID = 1L;

  /** Code of a failure because one session (page) is gone (-39002). */
  public static final long CODE = -39002;

  /** Creates the exception with a message saying what happened and what to do. */
  public CdpSessionClosedException(String message) {
    super(CODE, message, null);
  }

  /** Creates the exception with a message saying what happened and what to do, and its cause. */
  public CdpSessionClosedException(String message, Throwable cause) {
    super(CODE, message, cause);
  }
}
