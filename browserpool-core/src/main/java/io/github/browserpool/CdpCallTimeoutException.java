package io.github.browserpool;

/**
 * Signals that a CDP call on a page got no reply within its call timeout. The page's session is then
 * closed (its target too, which ends a renderer stuck in a script), so every later call on that page
 * fails at once with {@link CdpSessionClosedException}; other pages of the browser are not affected.
 * {@link #code()} is {@link #CODE}.
 */
public class CdpCallTimeoutException extends CdpException {
  private static final long serialVersionUID = 1L;

  /** Code of a call that timed out, also on the error reply made up for a cdt call (-39003). */
  public static final long CODE = -39003;

  /** Creates the exception with a message saying what happened and what to do. */
  public CdpCallTimeoutException(String message) {
    super(CODE, message);
  }

  /** Creates the exception with a message saying what happened and what to do, and its cause. */
  public CdpCallTimeoutException(String message, Throwable cause) {
    super(CODE, message, cause);
  }
}
