package io.github.browserpool.cdp;

import io.github.browserpool.CdpSessionClosedException;
import io.github.browserpool.CdpConnectionClosedException;
import io.github.browserpool.CdpException;
import static io.github.browserpool.cdp.CdpJson.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live {@link CdpSession}s of one connection by session id, and their lifecycle: attach, then gone
 * (closed by the client, detached, crashed, timed out, or the connection closed).
 *
 * <p>A session is routed by its id from the moment the attach reply is read. Once gone it is forgotten,
 * and every call in flight in it fails: cdt calls get a made-up error reply with their own id, futures
 * fail with {@link CdpSessionClosedException}, or with {@link CdpConnectionClosedException} when the whole
 * connection closed. Thread-safe.
 */
final class SessionRegistry {
  private static final Logger log = LoggerFactory.getLogger(SessionRegistry.class);

  private final PipeConnection connection;
  private final ConnectionState state;
  private final PendingCalls pending;
  private final Commands commands;
  private final Map<String, CdpSession> sessions = new ConcurrentHashMap<>();

  /** @param connection what the sessions it attaches are carried by */
  SessionRegistry(PipeConnection connection, ConnectionState state, PendingCalls pending, Commands commands) {
    this.connection = connection;
    this.state = state;
    this.pending = pending;
    this.commands = commands;
  }

  /**
   * Attaches to a target with {@code Target.attachToTarget {targetId, flatten: true}} and returns the
   * session. A reply that comes after the caller gave up detaches its session again.
   *
   * @throws CdpException if Chromium refuses, the reply does not come within {@code timeout}, or the
   *     calling thread is interrupted (its interrupt flag is then set again)
   * @throws CdpConnectionClosedException if the connection is or becomes closed
   */
  CdpSession attach(String targetId, Duration timeout) {
    Objects.requireNonNull(targetId, "targetId");
    ObjectNode params = JSON.createObjectNode().put("targetId", targetId).put("flatten", true);
    Attachment attachment = new Attachment(targetId);
    CompletableFuture<JsonNode> reply =
        commands.call(null, "Target.attachToTarget", params, attachment::attached, FrameWriter.NO_LIMIT);
    try {
      reply.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      throw commands.rethrown(e.getCause());
    } catch (TimeoutException e) {
      CdpSession late = attachment.abandon();
      if (late != null) {
        return late; // the reply was read at this very moment
      }
      throw new CdpException(CdpException.NO_CODE,
          state.logPrefix() + "Target.attachToTarget(" + targetId + ") got no reply within " + timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      attachment.abandon();
      throw new CdpException(
          CdpException.NO_CODE, state.logPrefix() + "interrupted while attaching to " + targetId, e);
    }
    CdpSession session = attachment.session();
    if (session == null) {
      throw new CdpException(CdpException.NO_CODE,
          state.logPrefix() + "Target.attachToTarget(" + targetId + ") replied without a sessionId");
    }
    return session;
  }

  /** The live session with id {@code sessionId}, or null. */
  CdpSession get(String sessionId) {
    return sessions.get(sessionId);
  }

  /**
   * Marks {@code session} gone and fails every call in flight in it, with {@link
   * CdpConnectionClosedException#CODE} when {@code connectionClosed} (the whole pipe is gone), otherwise
   * with {@link CdpSessionClosedException#CODE}. Only the first reason counts.
   */
  void gone(CdpSession session, String reason, boolean connectionClosed) {
    if (!session.markGone(reason, connectionClosed)) {
      return;
    }
    sessions.remove(session.sessionId(), session);
    log.debug("{}session {} of target {} is gone: {}",
        state.logPrefix(), session.sessionId(), session.targetId(), reason);
    pending.failSession(session.sessionId(), session.goneCode(), session.goneMessage());
  }

  /** Marks every session gone because the connection closed for {@code reason}. */
  void allGone(String reason) {
    String sessionReason = ConnectionState.sessionReason(reason);
    for (CdpSession session : sessions.values()) {
      gone(session, sessionReason, true);
    }
  }

  /** Sends {@code Target.closeTarget} for a session's target without waiting; failures are only logged. */
  void closeTargetQuietly(CdpSession session) {
    if (!state.isOpen()) {
      return;
    }
    commands.sendQuietly("Target.closeTarget", JSON.createObjectNode().put("targetId", session.targetId()))
        .whenComplete(
            (result, failure) -> {
              if (failure != null) {
                log.debug("{}Target.closeTarget({}) failed: {}",
                    state.logPrefix(), session.targetId(), failure.toString());
              }
            });
  }

  /**
   * Routes {@code session} by its id from now on and returns it; if the connection closed already, the
   * session is gone at once. Called on the reader thread as the attach reply is read (and by tests).
   */
  CdpSession add(CdpSession session) {
    sessions.put(session.sessionId(), session);
    String why = state.closeReason();
    if (why != null) {
      gone(session, ConnectionState.sessionReason(why), true);
    }
    return session;
  }

  /** The hand-over between {@link #attach} and the reader thread that reads the attach reply. */
  private final class Attachment {
    private final String targetId;
    private CdpSession session;
    private boolean abandoned;

    Attachment(String targetId) {
      this.targetId = targetId;
    }

    /** On the reader thread, before any later message is routed: registers the session. */
    void attached(JsonNode result) {
      String sessionId = result.path("sessionId").asText(null);
      if (sessionId == null) {
        return;
      }
      synchronized (this) {
        if (!abandoned) {
          session = add(new CdpSession(connection, sessionId, targetId));
          return;
        }
      }
      log.debug("{}attach to {} replied after its caller gave up; detaching session {}",
          state.logPrefix(), targetId, sessionId);
      commands.call(null, "Target.detachFromTarget", JSON.createObjectNode().put("sessionId", sessionId));
    }

    synchronized CdpSession session() {
      return session;
    }

    /** The caller gives up; returns the session if the reply was read after all. */
    synchronized CdpSession abandon() {
      abandoned = true;
      return session;
    }
  }
}
