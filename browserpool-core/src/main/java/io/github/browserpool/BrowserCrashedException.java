package io.github.browserpool;

/** Thrown on use of a lease whose browser process died on its own (crash or external kill). */
public class BrowserCrashedException extends BrowserPoolException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message saying what happened and what to do. */
  public BrowserCrashedException(String message) {
    super(message);
  }

  /** Creates the exception with a message saying what happened and what to do, and its cause. */
  public BrowserCrashedException(String message, Throwable cause) {
    super(message, cause);
  }
}
