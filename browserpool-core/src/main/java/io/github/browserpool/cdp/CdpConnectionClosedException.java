package io.github.browserpool.cdp;

/** The pipe to the browser closed before or during a call. */
public class CdpConnectionClosedException extends CdpException {
  private static final long serialVersionUID = 1L;

  public CdpConnectionClosedException(String message) {
    super(-32001, message);
  }
}
