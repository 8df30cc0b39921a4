package io.github.browserpool;

/**
 * Signals that a CDP call failed because its connection or its session is gone.
 *
 * <p>Retrying on the same connection or session is pointless; open a new one. {@link #code()} says which:
 * {@link #CODE} when the pipe to the whole browser closed or hit end-of-file (the browser is gone), or
 * {@link CdpSessionClosedException#CODE} (thrown as {@link CdpSessionClosedException}) when only one
 * page's session is gone. The same codes mark the error replies made up for cdt calls that were in
 * flight, so callers tell the two apart by code, never by message text.
 *
 * <p>The codes lie outside JSON-RPC's reserved range (-32768..-32000) because Chromium uses that range
 * itself: it answers a command for an unknown session with -32001 ("Session with given id not found").
 */
public class CdpConnectionClosedException extends CdpException {
  private static final long serialVersionUID = 1L;

  /** Code of a failure because the connection to the whole browser closed (-39001). */
  public static final long CODE = -39001;

  /** Creates the exception with a message saying what happened and what to do. */
  public CdpConnectionClosedException(String message) {
    super(CODE, message);
  }

  /** Creates the exception with a message saying what happened and what to do, and its cause. */
  public CdpConnectionClosedException(String message, Throwable cause) {
    super(CODE, message, cause);
  }

  /** For subclasses with a code of their own. */
  protected CdpConnectionClosedException(long code, String message, Throwable cause) {
    super(code, message, cause);
  }
}
