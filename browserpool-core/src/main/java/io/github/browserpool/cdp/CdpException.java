package io.github.browserpool.cdp;

/** A CDP command failed: Chromium answered with an error. */
public class CdpException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final long code;

  public CdpException(long code, String message) {
    super(message);
    this.code = code;
  }

  public CdpException(long code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  public long code() {
    return code;
  }
}
