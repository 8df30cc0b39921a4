package io.github.browserpool.cdp;

import java.io.IOException;

/**
 * One call waiting for its reply in {@link PendingCalls}. Whoever removes it from there completes it,
 * exactly once: the reader with the reply, or whoever fails it.
 */
interface PendingCall {
  /** The session the call was sent in, or null for a browser-level call. */
  String sessionId();

  /** Completes the call with Chromium's reply {@code text}, whose routing fields are {@code envelope}. */
  void reply(String text, Envelope envelope) throws IOException;

  /** Fails the call with {@code code}, one of the made-up codes of the exceptions in this package. */
  void fail(long code, String message);
}
