package io.github.browserpool;

/** Thrown when a browser could not be launched: executable missing or failing, a rejected flag, or no CDP reply within the launch timeout. The message carries the last lines Chromium wrote to stderr. A failed launch leaves no process and no profile dir behind. */
public class BrowserLaunchException extends BrowserPoolException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message saying what happened and what to do. */
  public BrowserLaunchException(String message) {
    super(message);
  }

  /** Creates the exception with a message saying what happened and what to do, and its cause. */
  public BrowserLaunchException(String message, Throwable cause) {
    super(message, cause);
  }
}
