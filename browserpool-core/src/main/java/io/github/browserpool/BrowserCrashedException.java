package io.github.browserpool;

/** Thrown on use of a lease whose browser process died on its own (crash or external kill). */
public class BrowserCrashedException extends BrowserPoolException {
  private static final long serialVersionUID = 1L;

  public BrowserCrashedException(String message) {
    super(message);
  }

  public BrowserCrashedException(String message, Throwable cause) {
    super(message, cause);
  }
}
