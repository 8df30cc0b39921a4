package io.github.browserpool.cdp;

import io.github.browserpool.CdpSessionClosedException;
import io.github.browserpool.CdpConnectionClosedException;
import io.github.browserpool.CdpCallTimeoutException;
import com.fasterxml.jackson.databind.node.TextNode;
import com.github.kklisura.cdt.services.WebSocketService;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries one flattened CDP session (one page target) over a {@link PipeConnection}, as a cdt
 * {@link WebSocketService} so that cdt's typed API runs over it (see {@link DevToolsServices}).
 *
 * <p>{@link #send(String)} takes cdt's serialised {@code {"id":N,"method":...}} and sends it within this
 * session under a connection-wide id; replies and events reach the message handlers with cdt's own ids.
 * When the session is detached, its target crashes, a call times out, or {@link #close()} is called,
 * every cdt call still in flight gets an error reply with code {@link CdpSessionClosedException#CODE}
 * that says why, and every later {@link #send(String)} throws {@link CdpSessionClosedException} at once;
 * when the whole connection closes, the code is {@link CdpConnectionClosedException#CODE} and the
 * exception {@link CdpConnectionClosedException}.
 *
 * <p>With a call timeout set ({@link #callTimeout(Duration)}), a call that gets no reply in time gets an
 * error reply with code {@link CdpCallTimeoutException#CODE}; the session is then gone (its other calls
 * in flight fail) and its target is closed, which also ends a renderer stuck in a script.
 * Thread-safe. Created by {@link PipeConnection#attach}.
 */
public final class CdpSession implements WebSocketService {
  private static final Logger log = LoggerFactory.getLogger(CdpSession.class);

  private final PipeConnection connection;
  private final String sessionId;
  private final String targetId;
  private final String quotedSessionId;
  private final String logPrefix;
  private final List<Consumer<String>> handlers = new CopyOnWriteArrayList<>();
  /** Null while usable; afterwards why the session is gone. */
  private final AtomicReference<String> goneReason = new AtomicReference<>();
  /** The code calls fail with once gone: the connection's or the session's; set with goneReason. */
  private volatile long goneCode = CdpSessionClosedException.CODE;
  /** Nanoseconds a call may wait for its reply; 0 for no limit. */
  private volatile long callTimeoutNanos;
  private final AtomicBoolean closeRequested = new AtomicBoolean();

  CdpSession(PipeConnection connection, String sessionId, String targetId) {
    this.connection = connection;
    this.sessionId = Objects.requireNonNull(sessionId, "sessionId");
    this.targetId = Objects.requireNonNull(targetId, "targetId");
    this.quotedSessionId = new TextNode(sessionId).toString();
    this.logPrefix = "[" + connection.name() + "] ";
  }

  /** Returns the CDP session id Chromium gave this session. */
  public String sessionId() {
    return sessionId;
  }

  /** Returns the id of the target (page) this session is attached to. */
  public String targetId() {
    return targetId;
  }

  /**
   * Sets how long each later call may wait for its reply before it fails with an error reply of code
   * {@link CdpCallTimeoutException#CODE} and the session is closed. {@link Duration#ZERO} (the default)
   * means no limit.
   *
   * @throws IllegalArgumentException if {@code timeout} is negative
   */
  public void callTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative()) {
      throw new IllegalArgumentException("call timeout must not be negative: " + timeout);
    }
    long nanos;
    try {
      nanos = timeout.toNanos();
    } catch (ArithmeticException e) {
      nanos = Long.MAX_VALUE;
    }
    callTimeoutNanos = nanos;
  }

  long callTimeoutNanos() {
    return callTimeoutNanos;
  }

  /** Does nothing: the session is carried by its connection's pipe. */
  @Override
  public void connect(URI uri) {}

  /**
   * Sends one message serialised by cdt ({@code {"id":N,"method":...}}) within this session.
   *
   * @throws CdpConnectionClosedException at once if the session ({@link CdpSessionClosedException}) or its
   *     connection is gone (unchecked, so it passes through cdt's {@code invoke} to the caller)
   * @throws IllegalArgumentException if the message is not a JSON object with a numeric id
   */
  @Override
  public void send(String message) {
    connection.sendForSession(this, message);
  }

  /** Adds a handler for this session's replies (with cdt's ids) and events; it runs on the reader thread. */
  @Override
  public void addMessageHandler(Consumer<String> consumer) {
    handlers.add(Objects.requireNonNull(consumer, "consumer"));
  }

  /**
   * Marks the session closed, fails its cdt calls in flight, and sends {@code Target.closeTarget} for its
   * target without waiting (failures are ignored). Idempotent.
   */
  @Override
  public void close() {
    connection.sessionGone(this, "the session was closed by the client", false);
    closeTargetOnce();
  }

  /** Sends {@code Target.closeTarget} for this session's target the first time only, without waiting. */
  void closeTargetOnce() {
    if (closeRequested.compareAndSet(false, true)) {
      connection.closeTargetQuietly(this);
    }
  }

  /** Returns whether the session is gone: closed, detached, crashed, or its connection closed. */
  @Override
  public boolean closed() {
    return goneReason.get() != null;
  }

  @Override
  public String toString() {
    String why = goneReason.get();
    return "CdpSession[" + connection.name() + ", session " + sessionId + ", target " + targetId
        + (why == null ? "" : ", gone: " + why) + "]";
  }

  String connectionName() {
    return connection.name();
  }

  PipeConnection connection() {
    return connection;
  }

  String quotedSessionId() {
    return quotedSessionId;
  }

  /** Hands one message of this session to every handler; runs on the reader thread or a failing thread. */
  void deliver(String text) {
    for (Consumer<String> handler : handlers) {
      try {
        handler.accept(text);
      } catch (RuntimeException e) {
        log.warn("{}session {} message handler failed", logPrefix, sessionId, e);
      }
    }
  }

  /**
   * Records why the session is gone, and whether because the whole connection closed; returns false if
   * it was gone already.
   */
  boolean markGone(String reason, boolean connectionClosed) {
    synchronized (goneReason) {
      if (goneReason.get() != null) {
        return false;
      }
      goneCode = connectionClosed ? CdpConnectionClosedException.CODE : CdpSessionClosedException.CODE;
      goneReason.set(reason);
      return true;
    }
  }

  /** The code of the error replies and exceptions of calls on this gone session. */
  long goneCode() {
    return goneCode;
  }

  String goneMessage() {
    return logPrefix + "CDP session " + sessionId + " (target " + targetId + ") is gone: " + goneReason.get();
  }

  /** Returns the exception for a call on a gone session, or null while the session is usable. */
  CdpConnectionClosedException goneException() {
    if (!closed()) {
      return null;
    }
    return CutOffs.exception(goneCode, goneMessage());
  }
}
