package io.github.browserpool.cdp;

/**
 * Signals that a CDP call failed because its connection or its session is gone: the pipe was closed or
 * hit end-of-file, or the session was detached from its target, or the target crashed.
 *
 * <p>Retrying on the same connection or session is pointless; open a new one. {@link #code()} is
 * {@link #CODE}, the same code as the error reply made up for cdt calls that were in flight.
 */
public class CdpConnectionClosedException extends CdpException {
  private static final long serialVersionUID = 1L;

  /** Code of the error reply made up for calls whose session or connection is gone (-32001). */
  public static final long CODE = -32001;

  public CdpConnectionClosedException(String message) {
    super(CODE, message);
  }

  public CdpConnectionClosedException(String message, Throwable cause) {
    super(CODE, message, cause);
  }
}
