package io.github.browserpool.cdp;

import java.time.Duration;
import io.github.browserpool.CdpConnectionClosedException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Carries the messages of a set of flattened sessions as text to one listener, for a relay that speaks
 * CDP on behalf of an outside client (the per-lease endpoint). Created by {@link
 * PipeConnection#openRawRoute(Listener)}.
 *
 * <p>Every event whose {@code sessionId} is one of the route's sessions goes to {@link
 * Listener#message}, on the connection's reader thread and in pipe order. Commands sent with {@link
 * #send} get a connection-wide wire id; their reply reaches the listener with the caller's id spliced
 * back, so a client's ids never reach the pipe and cannot collide with the pool's. Thread-safe.
 */
public final class RawRoute {
  /** Receives a route's traffic; runs on the connection's reader thread and must not block. */
  public interface Listener {
    /**
     * One message of one of the route's sessions.
     *
     * @param text the message as Chromium wrote it, a reply's id replaced by the caller's
     * @param sessionId the session it belongs to
     * @param method the event's method, or null for a reply
     */
    void message(String text, String sessionId, String method);

    /** The route ended because the connection closed, or its first session was detached. Called once. */
    void closed(String reason);
  }

  private final RawRoutes routes;
  private final Listener listener;
  private final Set<String> sessions = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();

  RawRoute(RawRoutes routes, Listener listener) {
    this.routes = routes;
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /**
   * Sends {@code Target.attachToBrowserTarget} and adds the new session to this route on the reader
   * thread, before any later message is routed.
   *
   * @return completes with the session id, or exceptionally as {@link PipeConnection#send} does
   */
  public CompletableFuture<String> attachToBrowserTarget() {
    return routes.attachToBrowserTarget(this, FrameWriter.NO_LIMIT);
  }

  /**
   * As {@link #attachToBrowserTarget()}, but waits at most {@code lockWait} for another write to the
   * pipe to finish (one stuck on a frozen browser's full pipe holds it); past that the future fails with
   * {@link io.github.browserpool.CdpException} and nothing was written.
   */
  public CompletableFuture<String> attachToBrowserTarget(Duration lockWait) {
    return routes.attachToBrowserTarget(this, Math.max(0, lockWait.toNanos()));
  }

  /** Routes the messages of {@code sessionId} to this route from now on (call it on the reader thread). */
  public void addSession(String sessionId) {
    if (!closed.get()) {
      sessions.add(sessionId);
      routes.route(sessionId, this);
    }
  }

  /** Stops routing {@code sessionId} here. */
  public void removeSession(String sessionId) {
    sessions.remove(sessionId);
    routes.unroute(sessionId, this);
  }

  /** Whether {@code sessionId} is routed here. */
  public boolean hasSession(String sessionId) {
    return sessions.contains(sessionId);
  }

  /**
   * Sends one command in {@code sessionId} under a wire id of its own. The reply reaches the listener
   * with {@code replyId} in place of the wire id; if the connection closes first, the listener gets an
   * error reply with that id instead. {@code params} may be a raw value node ({@code
   * JsonNodeFactory.rawValueNode} of a {@code String}): its text goes to the pipe as it is, so the caller
   * vouches that it is one JSON object with no NUL in it.
   *
   * @throws CdpConnectionClosedException at once if the connection is closed
   */
  public void send(long replyId, String sessionId, String method, JsonNode params) {
    send(replyId, sessionId, method, params, null);
  }

  /**
   * As {@link #send(long, String, String, JsonNode)}, but the reply (or the made-up error reply) goes to
   * {@code onReply} on the reader thread instead of the listener; null means the listener.
   */
  public void send(long replyId, String sessionId, String method, JsonNode params, Consumer<String> onReply) {
    routes.send(this, replyId, Objects.requireNonNull(sessionId, "sessionId"), method, params, onReply);
  }

  /**
   * As {@link #send(long, String, String, JsonNode, Consumer)}, for a caller that must neither wait
   * without a deadline nor write after it closed the route: the command is written only while the route
   * is open (asked with the pipe's write lock held, so once {@link #close()} returned no later write of
   * this route starts), waiting for the pipe at most until {@code deadlineNanos} ({@link System#nanoTime()}).
   *
   * @return whether the command was written; false when the route was closed first
   * @throws io.github.browserpool.CdpException if the pipe stayed busy until the deadline (nothing written)
   * @throws CdpConnectionClosedException if the connection is or becomes closed
   */
  public boolean sendWhileOpen(long replyId, String sessionId, String method, JsonNode params,
      Consumer<String> onReply, long deadlineNanos) {
    return routes.send(this, replyId, Objects.requireNonNull(sessionId, "sessionId"), method, params, onReply,
        true, deadlineNanos);
  }

  /** Stops routing every session of this route; the listener hears nothing more. Idempotent. */
  public void close() {
    if (closed.compareAndSet(false, true)) {
      unrouteAll();
    }
  }

  /** Whether {@link #close()} was called or the route ended. */
  public boolean isClosed() {
    return closed.get();
  }

  void deliverReply(String text, String sessionId, Consumer<String> onReply) {
    if (onReply == null) {
      deliver(text, sessionId, null);
    } else if (!closed.get()) {
      onReply.accept(text);
    }
  }

  void deliver(String text, String sessionId, String method) {
    if (!closed.get()) {
      listener.message(text, sessionId, method);
    }
  }

  void end(String reason) {
    if (closed.compareAndSet(false, true)) {
      unrouteAll();
      listener.closed(reason);
    }
  }

  private void unrouteAll() {
    for (String sessionId : sessions) {
      routes.unroute(sessionId, this);
    }
    sessions.clear();
  }
}
