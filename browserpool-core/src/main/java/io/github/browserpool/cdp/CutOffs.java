package io.github.browserpool.cdp;

import io.github.browserpool.CdpConnectionClosedException;
import io.github.browserpool.CdpSessionClosedException;

/** Turns the code of a call that was cut off into its exception type: told by code, never by text. */
final class CutOffs {
  private CutOffs() {}

  /**
   * The exception for a call cut off with {@code code}: {@link CdpConnectionClosedException} for its
   * {@code CODE} (the whole connection is gone), otherwise {@link CdpSessionClosedException} (only the
   * call's session is gone).
   */
  static CdpConnectionClosedException exception(long code, String message) {
    return code == CdpConnectionClosedException.CODE
        ? new CdpConnectionClosedException(message) : new CdpSessionClosedException(message);
  }
}
