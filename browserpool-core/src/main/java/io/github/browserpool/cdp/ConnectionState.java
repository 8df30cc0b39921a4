package io.github.browserpool.cdp;

import io.github.browserpool.CdpConnectionClosedException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The name of one {@link PipeConnection} and whether it is still open; once it closed, why.
 *
 * <p>The reason is set once, by the first close. Each part of the connection registers a call first and
 * checks this afterwards, while the close sets the reason first and fails what is registered afterwards:
 * so a call racing the close is failed by one side or the other, never by neither.
 */
final class ConnectionState {
  private final String name;
  private final String logPrefix;
  /** Null while open; afterwards why the connection closed. */
  private final AtomicReference<String> closeReason = new AtomicReference<>();

  ConnectionState(String name) {
    this.name = name;
    this.logPrefix = "[" + name + "] ";
  }

  /** The connection's name, which names its reader thread. */
  String name() {
    return name;
  }

  /** {@code "[" + name + "] "}, the start of every log line and message about this connection. */
  String logPrefix() {
    return logPrefix;
  }

  boolean isOpen() {
    return closeReason.get() == null;
  }

  /** Why the connection closed, or null while it is open. */
  String closeReason() {
    return closeReason.get();
  }

  /** Records why the connection closes; returns false if it was closed already (only the first reason counts). */
  boolean close(String reason) {
    return closeReason.compareAndSet(null, reason);
  }

  /** What a call is told when it fails because the connection closed for {@code reason}. */
  String closedMessage(String reason) {
    return logPrefix + "CDP connection closed: " + reason;
  }

  /** The exception a call fails with because the connection closed for {@code reason}. */
  CdpConnectionClosedException closedException(String reason) {
    return new CdpConnectionClosedException(closedMessage(reason));
  }

  /** Why each session (and raw route) of the connection ends when the connection closed for {@code reason}. */
  static String sessionReason(String reason) {
    return "the browser connection closed: " + reason;
  }
}
