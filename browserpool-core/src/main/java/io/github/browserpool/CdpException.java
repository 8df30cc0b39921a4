package io.github.browserpool;


/**
 * Signals that a CDP command failed: Chromium sent an error reply, or the call could not be made.
 *
 * <p>{@link #code()} is the JSON-RPC error code of Chromium's reply (for example -32000 for a generic
 * server error, -32601 for an unknown method), or {@link #NO_CODE} when the failure happened on this side.
 */
public class CdpException extends BrowserPoolException {
  private static final long serialVersionUID = 1L;

  /**
   * The code of a failure that did not come from an error reply, for example a {@link RawPage} call that
   * got no reply in time, or an interrupted wait.
   */
  public static final long NO_CODE = 0;

  /** See {@link #code()}. */
  private final long code;

  /** Creates the exception with the error {@code code} (see {@link #code()}) and a message. */
  public CdpException(long code, String message) {
    super(message);
    this.code = code;
  }

  /** Creates the exception with the error {@code code} (see {@link #code()}), a message and its cause. */
  public CdpException(long code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  /**
   * Returns the error code of Chromium's error reply, the code of a subclass ({@link
   * CdpConnectionClosedException#CODE}, {@link CdpSessionClosedException#CODE}, {@link
   * CdpCallTimeoutException#CODE}), or {@link #NO_CODE}.
   */
  public long code() {
    return code;
  }
}
